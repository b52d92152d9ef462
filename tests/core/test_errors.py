"""Every error code: a bad input, its exact message (golden), its exit code, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.app import main
from kb.core.pipeline import load_knowledge_base
from tests.conftest import REPO, assert_golden
from tests.error_cases import CASES, Case
from tests.hostile.corpus import WARNINGS

# Codes that do not fail a run: warnings (unless --strict) and notices.


def plant(root: Path, case: Case) -> None:
    target = root / case.path
    target.write_bytes(case.content)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_input_gets_its_code_and_exact_message(kb_root: Path, name: str) -> None:
    case = CASES[name]
    plant(kb_root, case)
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate", "--notices"])
    assert "Traceback" not in result.output
    assert f"[{case.code}]" in result.output
    assert result.exit_code == (0 if case.code in WARNINGS else 1)
    assert_golden(f"errors/{name}.txt", result.output)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_problem_names_a_file_and_line_in_json(kb_root: Path, name: str) -> None:
    plant(kb_root, CASES[name])
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate", "--format", "json"])
    problems = json.loads(result.output)
    found = [p for p in problems if p["code"] == CASES[name].code]
    assert found
    assert all(p["path"] and p["line"] >= 1 and p["col"] >= 1 for p in found)


def test_warnings_fail_only_under_strict(kb_root: Path) -> None:
    plant(kb_root, CASES["later-cite"])
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate", "--strict"])
    assert result.exit_code == 1
    assert "error[later-cite]" in result.output


def test_a_missing_vocabulary_file_is_reported(kb_root: Path) -> None:
    (kb_root / "taxonomy" / "venues.yaml").unlink()
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate"])
    assert result.exit_code == 1
    assert "taxonomy/venues.yaml:1:1: error[missing-file]: file is missing" in result.output


def test_github_format_gives_workflow_annotations(kb_root: Path) -> None:
    plant(kb_root, CASES["unknown-method"])
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate", "--format", "github"])
    assert result.output == (
        "::error file=papers/doe2024probing.yaml,line=11,col=11,title=unknown-method::"
        "'logit-lense' is not in taxonomy/methods.yaml (hint: did you mean 'logit-lens'?)\n"
    )


def test_validating_one_path_reports_only_that_file(kb_root: Path) -> None:
    plant(kb_root, CASES["unknown-method"])
    other = kb_root / "papers" / "belrose2023eliciting.yaml"
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate", str(other)])
    assert result.exit_code == 0
    assert result.output == "ok: 1 record\n"


def test_notices_never_fail_a_run_not_even_a_strict_one(kb_root: Path) -> None:
    plant(kb_root, CASES["isolated-record"])
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate", "--strict"])
    assert result.exit_code == 0
    assert result.output == "ok: 2 records; 1 notice(s) (--notices lists them)\n"


@pytest.mark.parametrize("name", [None, *sorted(CASES)])
def test_the_lean_loader_finds_what_the_full_loader_finds(kb_root: Path, name: str | None) -> None:
    if name is not None:
        plant(kb_root, CASES[name])
    full = load_knowledge_base(kb_root)
    lean = load_knowledge_base(kb_root, keep_documents=False)
    assert lean.problems == full.problems
    assert {pid: p.model_dump() for pid, p in lean.kb.papers.items()} == {
        pid: p.model_dump() for pid, p in full.kb.papers.items()
    }
    assert list(lean.kb.papers) == list(full.kb.papers)
    assert lean.kb.documents == {} and lean.kb.taxonomy == full.kb.taxonomy


@pytest.mark.parametrize("root", [REPO, REPO / "tests" / "fixtures" / "site"])
def test_the_lean_loader_agrees_on_the_real_and_the_hostile_knowledge_base(root: Path) -> None:
    full = load_knowledge_base(root)
    lean = load_knowledge_base(root, keep_documents=False)
    assert lean.problems == full.problems
    assert [p.model_dump() for p in lean.kb.papers.values()] == [
        p.model_dump() for p in full.kb.papers.values()
    ]
