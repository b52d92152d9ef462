"""`python -m kb` runs the `kb` command."""

from kb.cli.app import main

main()
