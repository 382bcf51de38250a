"""`python -m workers.cli`: the same as the `passion` command."""

from workers.cli import main

main(prog_name="passion")
