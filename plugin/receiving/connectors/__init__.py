"""CRM connectors by provider name; one module per CRM."""

from __future__ import annotations

from plugin.receiving.connectors.base import (
    Connector,
    CrmAccount,
    CrmError,
    InboundEvent,
    PullConnector,
    Throttled,
    WriteBack,
    WriteBackError,
)
from plugin.receiving.connectors.bullhorn import BullhornConnector
from plugin.receiving.connectors.greenhouse import GreenhouseConnector
from plugin.receiving.connectors.lever import LeverConnector
from plugin.receiving.connectors.standard import StandardConnector
from plugin.receiving.connectors.workable import WorkableConnector

_CONNECTORS: dict[str, Connector] = {"standard": StandardConnector(),
                                     "greenhouse": GreenhouseConnector(),
                                     "lever": LeverConnector(),
                                     "workable": WorkableConnector(),
                                     "bullhorn": BullhornConnector()}
PROVIDERS: tuple[str, ...] = tuple(_CONNECTORS)


def get_connector(provider: str) -> Connector:
    """The connector for a connection's provider (KeyError for an unknown one)."""
    return _CONNECTORS[provider]


def pull_connector(provider: str) -> PullConnector | None:
    """The connector if it reads the CRM's API (fetch, reconcile), else None."""
    connector = _CONNECTORS[provider]
    return connector if isinstance(connector, PullConnector) else None


__all__ = ["Connector", "CrmAccount", "CrmError", "InboundEvent", "PROVIDERS", "PullConnector",
           "Throttled", "WriteBack", "WriteBackError", "get_connector", "pull_connector"]
