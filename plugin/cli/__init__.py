"""The `passion` command: run the stack, analyse files, manage connections."""

from __future__ import annotations

import click

from plugin.cli.analyze import analyze
from plugin.cli.connections import connections
from plugin.cli.demo import demo
from plugin.cli.replay import replay
from plugin.cli.services import db_upgrade, run, serve, worker
from plugin.cli.skills import skills


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Passion Tagger: passion themes, aversions and skills from candidates' job histories.

    Configuration comes from PASSION_* environment variables (see the README).
    """


for command in (run, serve, worker, analyze, connections, demo, db_upgrade, replay,
                skills):
    main.add_command(command)
