"""Calls to addresses a tenant chose (write-backs) and to CRM APIs: the URL policy and the guarded client."""

from plugin.outbound.client import OutboundAnswer, OutboundFailure, post, request
from plugin.outbound.policy import OutboundPolicy, RefusedURL

__all__ = ["OutboundAnswer", "OutboundFailure", "OutboundPolicy", "RefusedURL", "post", "request"]
