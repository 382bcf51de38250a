"""CRM connectors by provider name; one module per CRM."""

from __future__ import annotations

from plugin.receiving.connectors.base import Connector, InboundEvent, WriteBack, WriteBackError
from plugin.receiving.connectors.standard import StandardConnector

_CONNECTORS: dict[str, Connector] = {"standard": StandardConnector()}
PROVIDERS: tuple[str, ...] = tuple(_CONNECTORS)


def get_connector(provider: str) -> Connector:
    """The connector for a connection's provider (KeyError for an unknown one)."""
    return _CONNECTORS[provider]


__all__ = ["Connector", "InboundEvent", "PROVIDERS", "WriteBack", "WriteBackError",
           "get_connector"]
