"""Writers are atomic: a failure half-way leaves the old file whole and no temporary behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.app import main
from kb.core import write
from kb.core.write import create_new, write_atomic


def _boom(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device")


def test_a_failed_rename_keeps_the_old_content_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    monkeypatch.setattr(write.os, "replace", _boom)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_failed_write_half_way_keeps_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    monkeypatch.setattr(write.os, "fsync", _boom)
    with pytest.raises(OSError):
        write_atomic(target, "x" * 100_000)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_create_new_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "papers" / "x.yaml"
    create_new(target, "first")
    with pytest.raises(FileExistsError):
        create_new(target, "second")
    assert target.read_text() == "first"


def test_kb_fmt_failing_mid_run_leaves_records_intact(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = kb_root / "papers" / "doe2024probing.yaml"
    messy = path.read_text().replace("kind: research\n", "") + ""
    messy = messy.replace("year: 2024\n", "").replace(
        "venue: neurips\n", "venue: neurips\nyear: 2024\n"
    )
    path.write_text(messy)
    monkeypatch.setattr(write.os, "replace", _boom)
    result = CliRunner().invoke(main, ["--root", str(kb_root), "fmt"])
    assert result.exit_code == 1
    assert result.output == "kb: No space left on device; no file was left half-written\n"
    assert path.read_text() == messy
    assert sorted(os.listdir(kb_root / "papers")) == [
        "belrose2023eliciting.yaml",
        "doe2024probing.yaml",
    ]


def test_written_files_get_the_usual_permissions_not_private_ones(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.bib", "x")
        assert (tmp_path / "a.bib").stat().st_mode & 0o777 == 0o644
        (tmp_path / "a.bib").chmod(0o664)
        write_atomic(tmp_path / "a.bib", "y")
        assert (tmp_path / "a.bib").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(umask)
