"""`python -m kb` runs the `kb` command."""

from kb.cli import main

main()
