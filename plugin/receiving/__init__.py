"""The CRM-facing side: verify, validate and record webhook deliveries (one connector per CRM)."""
