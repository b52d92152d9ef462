"""Shared fixtures: a throwaway copy of the fixture knowledge base, and golden-file checks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
FIXTURE_KB = FIXTURES / "kb"
GOLDEN = TESTS / "golden"
REPO = TESTS.parent
# NOTE: KB_UPDATE_GOLDEN=1 rewrites golden files instead of comparing; review the diff after.
UPDATE_GOLDEN = os.environ.get("KB_UPDATE_GOLDEN") == "1"


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/kb (two records, a small taxonomy)."""
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    return root


def assert_golden(name: str, actual: str) -> None:
    """Compare `actual` with tests/golden/<name>, or rewrite it under KB_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run with KB_UPDATE_GOLDEN=1 and review"
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    return assert_golden
