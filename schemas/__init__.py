"""Marshmallow schemas: the one contract at every boundary (CRM payloads, API bodies, analysis results)."""
