"""What every command module shares: the knowledge base root and the usage-error exit."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

__all__ = ["fail", "root_of"]


def root_of(ctx: click.Context) -> Path:
    """The knowledge base directory given by `kb --root` (the group stores it in `ctx.obj`)."""
    root: Path = ctx.obj["root"]
    return root


def fail(message: str) -> NoReturn:
    """Stop with a usage error (exit code 2) and `message`."""
    raise click.UsageError(message)
