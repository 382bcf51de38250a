"""The service's `passion` commands: run the stack, manage connections, replay write-backs.

The engine's commands (analyze, skills, explain) are added by `workers.cli`, which is the console script:
the web side never imports the engine."""

from __future__ import annotations

import click

from plugin.cli.audit import audit
from plugin.cli.connections import connections
from plugin.cli.demo import demo
from plugin.cli.panel import panel
from plugin.cli.recruiters import recruiters
from plugin.cli.replay import replay
from plugin.cli.services import db_upgrade, run, serve, worker
from plugin.cli.worksheet import worksheet


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Passion Tagger: passion themes, aversions and skills from candidates' job histories.

    Configuration comes from PASSION_* environment variables (README.md, Configuration); every
    command that opens the database names it on stderr. Every command: docs/cli.md.
    """


for command in (run, serve, worker, connections, recruiters, demo, db_upgrade, replay, worksheet, audit,
                panel):
    main.add_command(command)
