"""Dead-lettered write-backs put back to pending, for `passion replay` once the CRM is fixed."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from plugin.extensions import db
from plugin.storage.models import Analysis, DeliveryStatus

log = logging.getLogger(__name__)


def replay_dead(analysis_ids: list[int] | None = None) -> list[int]:
    """Put dead-lettered write-backs (all, or the given ones) back to pending with their attempts reset;
    returns their ids."""
    query = select(Analysis.id).where(Analysis.delivery_status == DeliveryStatus.DEAD)
    if analysis_ids is not None:
        query = query.where(Analysis.id.in_(analysis_ids))
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(update(Analysis).where(Analysis.id.in_(ids))
                           .values(delivery_status=DeliveryStatus.PENDING, lease_until=None, last_error=None,
                                   retry_at=None, delivery_attempts=0))  # a fresh set of attempts
        db.session.commit()
    log.info("write-backs replayed count=%s", len(ids))
    return ids
