"""The block `passion run` prints once everything answers: what runs where, the keys, what to do next."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from plugin.cli.demo import DemoRun, token_note


@dataclass(frozen=True)
class Stack:
    """Where each part of a running `passion run` is."""

    base_url: str
    database: str
    broker: str
    data_dir: Path
    log_dir: Path | None  # None: the children log to this terminal (--verbose)


def passion_command() -> str:
    """How to call this very `passion` from any folder: the script beside this interpreter."""
    script = Path(sys.executable).parent / "passion"
    return shlex.quote(str(script)) if script.exists() else "passion"


def ready_block(stack: Stack, demo: DemoRun | None) -> str:
    """The text, framed so that it stands out of whatever was printed before."""
    url = stack.base_url
    logs = (f"{stack.log_dir}/{{web,worker,beat}}.log, {stack.data_dir}/redis.log  (--verbose: here)"
            if stack.log_dir else "this terminal")
    lines = ["", "=" * 78, f"Passion Tagger is ready at {url}   (Ctrl-C stops everything)", "",
             f"  Web, API, pages  {url}   (/docs: the API, /pool: recruiters' pages)",
             "  Worker + beat    analyses candidates, writes results back, sweeps every minute",
             f"  Broker           {stack.broker}",
             f"  Database         {stack.database}",
             f"  Logs             {logs}"]
    passion = passion_command()
    if demo is not None:
        issued = demo.issued
        analysed = "" if demo.analysed is None else f", {demo.analysed} analysed"
        lines += ["", f"  Demo connection  {issued.id}  ({demo.accepted} of {demo.sent} demo candidates "
                      f"accepted{analysed})",
                  f"  Webhook URL      {issued.webhook_url}",
                  f"  Signing secret   {issued.secret}",
                  f"  API token        {issued.token}   ({token_note(demo)})",
                  f"  Saved in         {demo.saved_to}   (`source` it for WEBHOOK_URL, SECRET, TOKEN)",
                  "", "Next, in another terminal:",
                  f"  curl -H 'Authorization: Bearer {issued.token}' '{url}/api/candidates?theme=research'",
                  f"  {passion} connections list",
                  f"  {passion} connections create --name 'My CRM' --callback-url https://crm.example/hook"]
    else:
        lines += ["", "Next, in another terminal:",
                  f"  curl '{url}/healthz'",
                  f"  {passion} connections create --name 'My CRM' --callback-url https://crm.example/hook",
                  f"  {passion} --help"]
    lines += ["", "Signing webhooks by hand, the API and every command: README.md and docs/cli.md.",
              "=" * 78]
    return "\n".join(lines)
