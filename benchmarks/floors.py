"""Floors: the least work any implementation must do, measured in the same run as kb.

Run as ``python -m benchmarks.floors parse DIR``: parse every record with PyYAML's C loader
and nothing else; the time of `kb validate` is reported as a ratio to this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def parse(root: Path) -> int:
    """Parse every papers/*.yaml under `root`; return how many."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    count = 0
    for path in sorted((root / "papers").glob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=loader)
        count += 1
    return count


if __name__ == "__main__":
    kind, folder = sys.argv[1], Path(sys.argv[2])
    if kind == "parse":
        print(parse(folder))
