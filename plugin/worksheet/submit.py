"""A submitted worksheet enters exactly as a CRM event does (plugin/receiving/ingest.py: ordering, dedupe,
history versions), then the analysis is queued; the worker analyses and writes back as for any event."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from plugin.extensions import db
from plugin.receiving import ingest
from plugin.receiving.connectors import InboundEvent
from plugin.storage.models import Candidate
from schemas.history import CandidateHistorySchema

log = logging.getLogger(__name__)
EVENT_TYPE = "candidate.updated"


def submit(candidate: Candidate, jobs: list[dict[str, Any]]) -> None:
    """Record the candidate's history from the worksheet and queue its analysis."""
    # the CRM's name and link ride along: the worksheet does not ask for them, and a history without
    # them would clear them (and the name from search) until the CRM's next event
    shown = {"name": candidate.name, "crm_url": candidate.crm_url}
    history = CandidateHistorySchema().load({"candidate_id": candidate.external_id, "jobs": jobs,
                                             **{k: v for k, v in shown.items() if v is not None}})
    connection_id, candidate_id = candidate.connection_id, candidate.id
    db.session.commit()  # end the read transaction: ingest takes the write lock itself
    delivery_id = "worksheet_" + uuid.uuid4().hex  # unique: the history hash dedupes equal submissions
    # no event time: ordering compares the CRM's own clock, and a CRM change made before this submission
    # but delivered after it (a retry) must not be taken for a late one
    event = InboundEvent(type=EVENT_TYPE, external_id=history["candidate_id"], history=history,
                         occurred_at=None, from_worksheet=True)
    outcome = ingest.record_event(connection_id, delivery_id, event)
    ingest.queue_analysis(outcome)
    log.info("worksheet submitted candidate=%s delivery=%s stale=%s", candidate_id, delivery_id,
             outcome.stale)
