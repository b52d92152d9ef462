"""Every hostile input is refused with a located error code, quickly and in bounded memory."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_KB
from tests.hostile.corpus import HOSTILE

SECONDS = 5.0
MEGABYTES = 500


def _run(root: Path) -> tuple[int, str, float, float]:
    """Run `kb validate --format json` on `root`: exit code, stdout, seconds, peak RSS in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kb", "--root", str(root), "validate", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = process.communicate(timeout=SECONDS * 4)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("kb validate hung")
    _, status, usage = os.wait4(process.pid, 0) if process.returncode is None else (0, 0, None)
    del status
    peak = usage.ru_maxrss if usage else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return process.returncode, output.decode(), time.perf_counter() - start, peak / 1024


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 50


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_input_is_refused_with_a_located_code(tmp_path: Path, name: str) -> None:
    case = HOSTILE[name]
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    (root / case.path).write_bytes(case.content)
    code, output, seconds, megabytes = _run(root)
    assert "Traceback" not in output
    assert code == case.exit_code, output[:2000]
    problems = json.loads(output)
    found = [p for p in problems if p["code"] == case.code]
    assert found, output[:2000]
    assert all(p["path"] and p["line"] >= 1 for p in found)
    assert seconds < SECONDS
    assert megabytes < MEGABYTES
