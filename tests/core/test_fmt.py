"""`kb fmt`: canonical, idempotent, lossless, and careful with what it will not format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import given, settings

from kb.cli.app import main
from kb.core.fmt import comment_lines, format_paper
from kb.core.load import parse_text
from kb.core.pipeline import load_knowledge_base
from kb.core.records import Paper, paper_model
from tests.conftest import FIXTURE_KB
from tests.strategies import records

MODEL = paper_model(load_knowledge_base(FIXTURE_KB).kb.taxonomy)


def _reload(text: str) -> Paper:
    return MODEL.model_validate(parse_text(text, "x.yaml").data)


@settings(max_examples=300, deadline=None)
@given(records)
def test_any_valid_record_reads_back_the_same_after_formatting(data: dict[str, Any]) -> None:
    paper = MODEL.model_validate(data)
    text = format_paper(paper)
    assert _reload(text).model_dump() == paper.model_dump()


@settings(max_examples=200, deadline=None)
@given(records)
def test_formatting_is_idempotent(data: dict[str, Any]) -> None:
    text = format_paper(MODEL.model_validate(data))
    assert format_paper(_reload(text)) == text


def test_the_fixture_records_are_already_canonical() -> None:
    result = CliRunner().invoke(main, ["--root", str(FIXTURE_KB), "fmt", "--check"])
    assert result.exit_code == 0
    assert result.output == "ok: every record and vocabulary is in canonical form\n"


def test_fmt_check_reports_and_fmt_rewrites(kb_root: Path) -> None:
    path = kb_root / "papers" / "doe2024probing.yaml"
    canonical = path.read_text()
    path.write_text(
        canonical.replace("year: 2024\n", "").replace(
            "id: doe2024probing\n", "id: doe2024probing\nyear: 2024\n"
        )
    )
    check = CliRunner().invoke(main, ["--root", str(kb_root), "fmt", "--check"])
    assert (check.exit_code, check.output) == (1, "would reformat papers/doe2024probing.yaml\n")
    run = CliRunner().invoke(main, ["--root", str(kb_root), "fmt"])
    assert (run.exit_code, run.output) == (0, "formatted papers/doe2024probing.yaml\n")
    assert path.read_text() == canonical


def test_a_file_with_a_comment_is_refused_not_stripped(kb_root: Path) -> None:
    path = kb_root / "papers" / "doe2024probing.yaml"
    text = path.read_text().replace("kind: research\n", "")
    path.write_text(text.replace("year: 2024\n", "year: 2024  # the NeurIPS year\n"))
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["--root", str(kb_root), "fmt"])
    assert result.exit_code == 1
    assert "4:1: error[fmt-comment]: kb fmt would drop the comment on line 4" in result.output
    assert path.read_bytes() == before


def test_an_invalid_file_is_left_untouched(kb_root: Path) -> None:
    path = kb_root / "papers" / "doe2024probing.yaml"
    path.write_text(path.read_text().replace("venue: neurips", "venue: neurip"))
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["--root", str(kb_root), "fmt"])
    assert result.exit_code == 1
    assert "papers/doe2024probing.yaml:1:1: error[not-formatted]" in result.output
    assert path.read_bytes() == before


def test_comment_lines_ignores_hashes_inside_values() -> None:
    text = 'title: "C# and #hashtags"\nurl: https://x.org/#frag\nyear: 2024 # real\n# whole line\n'
    assert comment_lines(text) == [3, 4]


def test_fmt_gives_vocabularies_their_canonical_form_and_keeps_the_header(kb_root: Path) -> None:
    path = kb_root / "taxonomy" / "modalities.yaml"
    canonical = path.read_text()
    header = "# Modalities the records study.\n"
    flow = "".join(
        f"- {{id: {entry['id']}, name: {entry['name']}, description: {entry['description']}}}\n"
        for entry in yaml.safe_load(canonical)
    )
    path.write_text(header + flow)
    check = CliRunner().invoke(main, ["--root", str(kb_root), "fmt", "--check"])
    assert (check.exit_code, check.output) == (1, "would reformat taxonomy/modalities.yaml\n")
    run = CliRunner().invoke(main, ["--root", str(kb_root), "fmt", str(path)])
    assert (run.exit_code, run.output) == (0, "formatted taxonomy/modalities.yaml\n")
    assert path.read_text() == header + canonical


def test_a_vocabulary_comment_below_the_header_is_refused(kb_root: Path) -> None:
    path = kb_root / "taxonomy" / "modalities.yaml"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:3], "# a note in the middle\n", *lines[3:]]))
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["--root", str(kb_root), "fmt"])
    assert result.exit_code == 1
    assert "taxonomy/modalities.yaml:4:1: error[fmt-comment]" in result.output
    assert path.read_bytes() == before
