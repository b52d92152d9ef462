"""`.github/`, CITATION.cff, pre-commit hooks and CONTRIBUTING: valid, and in step with the code.

Schemas come from check-jsonschema's vendored copies (no network): GitHub workflows, issue
forms and the Citation File Format.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from check_jsonschema import main as check_jsonschema
from click.testing import CliRunner

from kb.cli.app import main
from kb.core.load import parse_text
from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _schema_check(schema: str, path: Path) -> None:
    result = CliRunner().invoke(check_jsonschema, ["--builtin-schema", schema, str(path)])
    assert result.exit_code == 0, result.output


def _run_lines(workflow: Path) -> list[str]:
    """Every shell line of every `run:` step, stripped."""
    lines: list[str] = []
    for job in _yaml(workflow)["jobs"].values():
        for step in job.get("steps", []):
            lines += [line.strip() for line in step.get("run", "").splitlines() if line.strip()]
    return lines


def _ci_commands() -> list[str]:
    """The commands .ci/run runs (comments, `set` and `cd` left out)."""
    text = (REPO / ".ci" / "run").read_text()
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]


@pytest.mark.parametrize("name", ["pr.yml", "pages.yml", "release.yml"])
def test_each_workflow_is_valid_for_github(name: str) -> None:
    _schema_check("vendor.github-workflows", WORKFLOWS / name)


def test_the_issue_form_and_its_config_are_valid_for_github() -> None:
    _schema_check("vendor.github-issue-forms", REPO / ".github/ISSUE_TEMPLATE/suggest-a-paper.yml")
    _schema_check("vendor.github-issue-config", REPO / ".github/ISSUE_TEMPLATE/config.yml")


def test_citation_cff_is_valid_and_names_no_doi() -> None:
    _schema_check("vendor.citation-file-format", REPO / "CITATION.cff")
    citation = _yaml(REPO / "CITATION.cff")
    assert citation["cff-version"] == "1.2.0"
    assert "doi" not in citation
    assert "doi" not in (REPO / "CITATION.cff").read_text().lower()


def test_the_pull_request_workflow_runs_every_command_of_ci() -> None:
    commands = _ci_commands()
    assert "bash scripts/test" in commands
    assert set(commands) <= set(_run_lines(WORKFLOWS / "pr.yml"))


def test_the_pull_request_workflow_runs_the_knowledge_base_checks() -> None:
    lines = _run_lines(WORKFLOWS / "pr.yml")
    assert ".venv/bin/kb validate --format github" in lines
    assert ".venv/bin/kb fmt --check" in lines
    assert ".venv/bin/kb dedupe" in lines
    assert '.venv/bin/kb diff "origin/$BASE_REF" >> "$GITHUB_STEP_SUMMARY"' in lines
    workflow = _yaml(WORKFLOWS / "pr.yml")
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    # NOTE: the base branch name reaches the shell through the environment, never the script.
    assert all("${{" not in step.get("run", "") for step in steps)


def test_the_pages_workflow_builds_the_site_into_public_and_deploys_it() -> None:
    assert ".venv/bin/kb build -o public" in _run_lines(WORKFLOWS / "pages.yml")
    steps = [s for job in _yaml(WORKFLOWS / "pages.yml")["jobs"].values() for s in job["steps"]]
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)


def test_the_release_workflow_attaches_every_dump() -> None:
    lines = _run_lines(WORKFLOWS / "release.yml")
    for fmt in ("bibtex", "csl-json", "json", "sqlite"):
        assert any(line.startswith(f".venv/bin/kb export {fmt} -o dist/") for line in lines), fmt
    assert any(line.startswith(".venv/bin/kb export survey --format tex -o ") for line in lines)
    assert "cp build/survey/survey.pdf dist/mllm-xai-kb-survey.pdf" in lines
    assert _yaml(WORKFLOWS / "release.yml")[True]["push"]["tags"] == ["v*"]


def _kb_calls() -> list[list[str]]:
    """Every `kb ...` command the workflows and the pre-commit hooks run, as argument lists."""
    calls = [
        shlex.split(line)
        for workflow in sorted(WORKFLOWS.glob("*.yml"))
        for line in _run_lines(workflow)
        if line.startswith(".venv/bin/kb ")
    ]
    for name in (".pre-commit-hooks.yaml", ".pre-commit-config.yaml"):
        data = _yaml(REPO / name)
        hooks = data if isinstance(data, list) else data["repos"][0]["hooks"]
        calls += [shlex.split(hook["entry"]) for hook in hooks]
    return calls


def test_every_kb_command_the_automation_runs_exists_with_its_options() -> None:
    calls = _kb_calls()
    assert calls
    for call in calls:
        assert call[0] in ("kb", ".venv/bin/kb")
        args = [a for a in call[1:] if not a.startswith(("$", '"', "origin/", ">>"))]
        context = click.Context(main)
        command = main.get_command(context, args[0])
        assert command is not None, call
        words = args[1:]
        if isinstance(command, click.Group):
            command = command.get_command(context, words[0])
            assert command is not None, call
            words = words[1:]
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        assert {w for w in words if w.startswith("-")} <= options, call


def test_the_pre_commit_hooks_run_fmt_and_validate_on_changed_records() -> None:
    hooks = {hook["id"]: hook for hook in _yaml(REPO / ".pre-commit-hooks.yaml")}
    assert hooks["kb-fmt"]["entry"] == "kb fmt"
    assert hooks["kb-validate"]["entry"] == "kb validate"
    local = {
        hook["id"]: hook for hook in _yaml(REPO / ".pre-commit-config.yaml")["repos"][0]["hooks"]
    }
    assert set(local) == set(hooks)
    for hook_id, hook in hooks.items():
        assert local[hook_id]["entry"] == ".venv/bin/" + hook["entry"]
        assert local[hook_id]["files"] == hook["files"]
        assert re.match(
            hook["files"],
            "taxonomy/methods.yaml" if "taxonomy" in hook_id else "papers/liu2023visual.yaml",
        )


def test_the_pull_request_template_lists_the_truth_rules() -> None:
    template = (REPO / ".github" / "pull_request_template.md").read_text()
    for rule in (
        "checked against a source",
        "`sources`",
        "own words",
        "`cites` lists only records whose reference I saw",
        "No existing key changed",
        "`year` is the year of the cited version",
    ):
        assert rule in template


def _quotations() -> list[tuple[str, str, str]]:
    """(quoted text, record id, field) for each quotation in CONTRIBUTING.md."""
    text = (REPO / "CONTRIBUTING.md").read_text()
    found = []
    for quote, record, field in re.findall(r"((?:^> .*\n)+)\n— `([a-z0-9]+)`, (\w+)", text, re.M):
        found.append((" ".join(line[2:] for line in quote.splitlines()), record, field))
    return found


def test_contributing_quotes_real_records_word_for_word() -> None:
    quotations = _quotations()
    assert {field for _, _, field in quotations} == {"summary", "strengths", "limitations"}
    for quote, record, field in quotations:
        path = REPO / "papers" / f"{record}.yaml"
        value = parse_text(path.read_text(), path.name).data[field]
        texts = [
            " ".join(item.split()) for item in (value if isinstance(value, tuple) else [value])
        ]
        fragments = [" ".join(part.split()) for part in quote.split("...")]
        assert any(all(f in t for f in fragments) for t in texts), (record, field, quote)


def test_contributing_shows_the_editor_schema_line_the_formatter_keeps() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text()
    assert "# yaml-language-server: $schema=../record.schema.json" in text
    assert "kb schema -o record.schema.json" in text


@pytest.mark.parametrize(
    ("author", "year", "title", "key"),
    [
        ("Jiahao Huo", 2024, "MMNeuron: Discovering Neuron-Level", "huo2024mmneuron"),
        (
            "Hugo Laurençon",
            2024,
            "What matters when building vision-language models?",
            "laurencon2024matters",
        ),
        (
            "Rott Shaham, Tamar",
            2024,
            "A Multimodal Automated Interpretability Agent",
            "rottshaham2024multimodal",
        ),
    ],
)
def test_the_key_examples_in_contributing_are_what_kb_computes(
    author: str, year: int, title: str, key: str
) -> None:
    from kb.core.ids import scholar_id

    assert scholar_id(author, year, title) == key
    assert f"`{key}`" in (REPO / "CONTRIBUTING.md").read_text()
