"""The command line: help for every command, documented in the README, exact outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import app as cli
from kb.cli.app import main
from tests.conftest import FIXTURES, REPO

COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_text(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert (main.commands[command].help or "").strip()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_appears_in_the_readme_command_reference(command: str) -> None:
    readme = (REPO / "README.md").read_text()
    reference = readme.split("## Command reference", 1)[1]
    assert f"`kb {command}" in reference


def test_a_directory_without_taxonomy_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "validate"])
    assert result.exit_code == 2
    assert "taxonomy not found" in result.output


def test_an_internal_error_prints_no_traceback(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(root: Path, **options: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "check_tree", explode)
    result = CliRunner().invoke(main, ["--root", str(kb_root), "validate"])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert "kb: internal error in `kb validate`: RuntimeError: boom" in result.output


def test_new_computes_the_scholar_id_and_leaves_person_fields_empty(kb_root: Path) -> None:
    args = ["--root", str(kb_root), "new", "--title", "Visual Instruction Tuning"]
    args += ["--author", "Haotian Liu", "--author", "Chunyuan Li", "--year", "2023"]
    args += ["--venue", "neurips", "--arxiv", "2304.08485"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("created papers/liu2023visual.yaml")
    text = (kb_root / "papers" / "liu2023visual.yaml").read_text()
    assert 'arxiv: "2304.08485"' in text
    assert 'summary: ""' in text
    check = CliRunner().invoke(main, ["--root", str(kb_root), "validate"])
    assert "papers/liu2023visual.yaml:12:10: error[empty-value]: summary: must not be empty" in (
        check.output
    )
    again = CliRunner().invoke(main, args)
    assert again.output.startswith("created papers/liu2023visualb.yaml")


def test_new_rejects_bad_metadata_without_writing(kb_root: Path) -> None:
    args = ["--root", str(kb_root), "new", "--title", "X", "--author", "A B", "--year", "2023"]
    result = CliRunner().invoke(main, [*args, "--venue", "neurip", "--arxiv", "2304.1"])
    assert result.exit_code == 1
    assert "--venue:1:1: error[unknown-venue]: 'neurip' is not in taxonomy/venues.yaml" in (
        result.output
    )
    assert "error[bad-arxiv]" in result.output
    assert sorted(p.name for p in (kb_root / "papers").iterdir()) == [
        "belrose2023eliciting.yaml",
        "doe2024probing.yaml",
    ]


def test_schema_lists_the_vocabularies_as_enums(kb_root: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(kb_root), "schema"])
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["venue"]["enum"] == ["arxiv", "neurips", "tmlr"]
    leaves = schema["properties"]["taxonomy"]["items"]["enum"]
    assert leaves == ["data.input-output", "data.benchmark", "model.neuron", "model.layer"]


def test_stats_counts_records_by_leaf(kb_root: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(kb_root), "stats"])
    assert result.exit_code == 0
    assert result.output.startswith("2 records, 1 citation edges, 4 methods\n")
    assert "│ model.layer       │       2 │" in result.output


def test_stats_counts_the_evidence_and_names_records_on_mirrors_alone() -> None:
    result = CliRunner().invoke(main, ["--root", str(FIXTURES / "export"), "stats"])
    assert result.exit_code == 0, result.output
    lines = {" ".join(line.strip("│ ").split()) for line in result.output.splitlines()}
    assert "findings located (where:) │ 4 of 8 (50 %)" in lines
    assert "records with a tldr │ 2 of 6 (33 %)" in lines
    assert "records with located results │ 1 of 6 (17 %)" in lines
    assert "results on fixture-bench │ 2" in lines
    assert "relations: extends │ 1" in lines
    assert "records with a primary source │ 5 of 6 (83 %)" in lines
    assert "rest on mirrors alone (no arXiv or venue page among their sources): smith2021notes" in (
        " ".join(result.output.split())
    )


def test_stats_shows_the_screening_flow(kb_root: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(kb_root), "stats"])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.strip("│ ").split()) for line in result.output.splitlines()]
    start = lines.index("screening (taxonomy/screening.yaml)")
    assert [line for line in lines[start : start + 14] if "│" in line] == [
        "identified in Reading list │ 3",
        "identified in Searches of arXiv │ 1",
        "distinct works screened │ 4",
        "excluded: not-multimodal │ 1",
        "excluded: superseded │ 1",
        "deferred to a later round │ 1",
        "included as records │ 1",
    ]


@pytest.mark.parametrize(
    ("url", "primary"),
    [
        ("https://arxiv.org/abs/2406.04236", True),
        ("https://www.arxiv.org/abs/2411.17265", True),
        ("https://openaccess.thecvf.com/content/CVPR2024/html/x.html", True),
        ("https://preview.aclanthology.org/2025.emnlp-main.1/", True),
        ("https://eccv2024.ecva.net/virtual/2024/poster/1", True),
        ("https://www.alphaxiv.org/overview/2506.23270v1", False),
        ("https://notarxiv.org/abs/1", False),
        ("https://github.com/haotian-liu/LLaVA", False),
    ],
)
def test_primary_sources_are_arxiv_and_venue_sites(url: str, primary: bool) -> None:
    from kb.graph.stats import is_primary

    assert is_primary(url) is primary
