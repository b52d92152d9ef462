"""The `kb` command: one module per command family, each a thin shell over the library.

Only this room prints, reads arguments or sets exit codes (and only it imports click and rich's
console); `kb.cli:main` is the entry point of the installed `kb` script.
"""

from kb.cli.app import main

__all__ = ["main"]
