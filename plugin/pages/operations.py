"""The pool page's connection panel: the connection's operations status as a few sentences, with the
ones that need a look marked so that the page says it in words, not by colour alone."""

from __future__ import annotations

from dataclasses import dataclass

from plugin.pages.wording import when
from plugin.storage.connection_status import ConnectionStatus


@dataclass(frozen=True)
class Line:
    label: str
    words: str
    attention: bool = False


def lines(status: ConnectionStatus) -> list[Line]:
    """Last event, reconciliation (for a connector that reads the CRM), write-backs, last failure."""
    found = [Line("Last event", f"{when(status.last_event_at)} ({status.events_last_day} in the last "
                                f"24 hours)" if status.last_event_at else "none received yet")]
    if status.reads_crm:
        found.append(_reconciliation(status))
    dead = status.dead_letters
    found.append(Line("Write-backs", f"{status.pending_write_backs} waiting to be sent, {dead} gave up"
                      + (" (an administrator can retry them with passion replay)" if dead else ""),
                      attention=dead > 0))
    if status.recent_failures:
        last = status.recent_failures[0]
        found.append(Line("Last failure", f"{last.what} at {when(last.at)}: {last.reason}", attention=True))
    return found


def _reconciliation(status: ConnectionStatus) -> Line:
    done = status.reconciliation
    if done.ok is None:
        return Line("Last check with the CRM", "not run yet")
    if done.ok:
        return Line("Last check with the CRM", f"{when(done.succeeded_at)}, {done.changed or 0} "
                                               f"candidate{'' if done.changed == 1 else 's'} changed")
    return Line("Last check with the CRM", f"failed at {when(done.failed_at)}: {done.error}; it is tried "
                                           f"again on the next schedule", attention=True)
