"""`passion replay`: retry write-backs that were dead-lettered after their retries ran out."""

from __future__ import annotations

import click


@click.command()
@click.option("--analysis", "analysis_ids", type=int, multiple=True,
              help="Replay only these analysis ids (repeatable); default: every dead write-back.")
def replay(analysis_ids: tuple[int, ...]) -> None:
    """Retry dead-lettered write-backs.

    Queues again the write-backs that gave up after their retries (once the CRM is fixed, say)."""
    from plugin.cli.database import app_context
    from plugin.queue import enqueue_delivery
    from plugin.storage.deliveries import replay_dead

    with app_context(must_exist=True):
        ids = replay_dead(list(analysis_ids) if analysis_ids else None)
        for analysis_id in ids:
            enqueue_delivery(analysis_id)
    click.echo(f"replayed {len(ids)} write-back(s)")
