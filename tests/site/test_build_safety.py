"""kb build never leaves a half-written site, and two builds into one folder take turns."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kb.core.problems import Problem
from kb.site import build
from kb.site.build import BuildReport, build_site
from kb.site.shell import PAPER_SECTIONS, SHELL_TITLE


def _shell() -> str:
    """What a builder makes of the shell page, reduced to what kb needs of it."""
    headings = "".join(f'<h2 id="{anchor}">{name}</h2>' for anchor, name in PAPER_SECTIONS)
    return f"<title>{SHELL_TITLE}</title><!--kb-shell-start-->{headings}<!--kb-shell-end-->"


def _fake_builder(content: str, fail: bool = False, pause: float = 0.0, log: list | None = None):  # type: ignore[no-untyped-def, type-arg]
    def run(docs: Path, output: Path, builder: str) -> Problem | None:
        if log is not None:
            log.append(("start", time.perf_counter()))
        (output / "index.html").write_text(content)
        (output / "papers" / "kb-shell").mkdir(parents=True)
        (output / "papers" / "kb-shell" / "index.html").write_text(_shell())
        (output / "downloads").mkdir()
        downloads = (docs / "docs" / "downloads.md").read_text()
        (output / "downloads" / "index.html").write_text(downloads)
        time.sleep(pause)
        (output / "page.html").write_text(content)
        if log is not None:
            log.append(("end", time.perf_counter()))
        return Problem("build-failed", "mkdocs.yml", "boom") if fail else None

    return run


def test_a_failed_build_leaves_the_previous_site_whole(
    kb_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, docs = tmp_path / "site", tmp_path / "docs"
    monkeypatch.setattr(build, "run_builder", _fake_builder("first"))
    assert isinstance(build_site(kb_root, site, docs, search=False), BuildReport)
    monkeypatch.setattr(build, "run_builder", _fake_builder("second", fail=True))
    outcome = build_site(kb_root, site, docs, search=False)
    assert isinstance(outcome, list) and outcome[0].code == "build-failed"
    assert (site / "index.html").read_text() == "first"
    assert (site / "page.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".site.lock"]


def test_two_builds_into_one_folder_take_turns(
    kb_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, log = tmp_path / "site", []
    monkeypatch.setattr(build, "run_builder", _fake_builder("same", pause=0.3, log=log))
    threads = [
        threading.Thread(target=build_site, args=(kb_root, site, tmp_path / f"docs{n}"))
        for n in range(2)
    ]
    monkeypatch.setattr(build, "index_site", lambda output: None)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [event for event, _ in log] == ["start", "end", "start", "end"]
    assert (site / "index.html").read_text() == "same"
    assert (site / "page.html").read_text() == "same"
