"""A submitted worksheet enters exactly as a CRM event does (plugin/receiving/ingest.py: ordering, dedupe,
history versions), then the analysis is queued; the worker analyses and writes back as for any event."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from kombu.exceptions import OperationalError as BrokerError

from plugin.extensions import db
from plugin.queue import enqueue_analysis
from plugin.receiving import ingest
from plugin.receiving.connectors import InboundEvent
from plugin.storage.models import Candidate
from schemas.history import CandidateHistorySchema

log = logging.getLogger(__name__)
EVENT_TYPE = "candidate.updated"


def submit(candidate: Candidate, jobs: list[dict[str, Any]]) -> int:
    """Record the candidate's history from the worksheet; returns the history version it became."""
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
    if outcome.enqueue_version is not None:
        try:
            enqueue_analysis(candidate_id, outcome.enqueue_version)
        except BrokerError:
            log.warning("broker unavailable, worksheet analysis left to the sweeper candidate=%s",
                        candidate_id)
            ingest.mark_enqueue_failed(candidate_id)
    log.info("worksheet submitted candidate=%s delivery=%s stale=%s", candidate_id, delivery_id,
             outcome.stale)
    version = db.session.get(Candidate, candidate_id)
    return version.history_version if version is not None else 0
