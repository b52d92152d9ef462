"""Running the site's external tools (MkDocs, Zensical, Pagefind) as child processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from kb.core.problems import Problem

__all__ = ["run_tool"]

_TAIL = 30  # lines of a failing tool's output shown in the problem


def run_tool(command: list[str], cwd: Path, what: str, config: Path) -> Problem | None:
    """Run `command` in `cwd`: None when it succeeds, else a problem about `config` that ends
    with the last lines of its output."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return None
    output = (done.stdout + done.stderr).strip().splitlines()[-_TAIL:]
    return Problem(
        "build-failed",
        str(config),
        f"{what} failed (exit {done.returncode}):\n    " + "\n    ".join(output),
    )
