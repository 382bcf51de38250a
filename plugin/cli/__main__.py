"""`python -m plugin.cli` runs the same command as the `passion` console script."""

from plugin.cli import main

main()
