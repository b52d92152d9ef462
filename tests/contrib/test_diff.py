"""`kb diff BASE`: a pull request that adds, removes, renames and edits records, summarised."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.app import main
from kb.contrib.diff import diff_knowledge_base, render_markdown
from tests.conftest import FIXTURE_KB, assert_golden

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose main branch holds the fixture knowledge base plus one record."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE_KB, root)
    papers = root / "papers"
    extra = (papers / "belrose2023eliciting.yaml").read_text()
    extra = (
        extra.replace("id: belrose2023eliciting", "id: roe2022retired")
        .replace(
            "Eliciting Latent Predictions from Transformers with the Tuned Lens",
            "A Retired Fixture",
        )
        .replace("[Nora Belrose, Zach Furman, Logan Smith]", "[Rita Roe]")
        .replace("2303.08112", "2201.00001")
        .replace("year: 2023", "year: 2022")
    )
    (papers / "roe2022retired.yaml").write_text(extra)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root


def _pull_request(root: Path) -> None:
    """Add a draft, remove a record, rename one key and edit another record and a vocabulary."""
    papers = root / "papers"
    new = CliRunner().invoke(
        main,
        [
            "--root",
            str(root),
            "new",
            "--title",
            "Visual Instruction Tuning",
            "--author",
            "Haotian Liu",
            "--author",
            "Chunyuan Li",
            "--year",
            "2023",
            "--venue",
            "neurips",
            "--arxiv",
            "2304.08485",
        ],
    )
    assert new.exit_code == 0, new.output
    (papers / "roe2022retired.yaml").unlink()
    probing = (papers / "doe2024probing.yaml").read_text()
    (papers / "doe2024probing.yaml").unlink()
    (papers / "doe2025probing.yaml").write_text(
        probing.replace("id: doe2024probing", "id: doe2025probing").replace(
            "year: 2024", "year: 2025"
        )
    )
    belrose = papers / "belrose2023eliciting.yaml"
    belrose.write_text(
        belrose.read_text()
        .replace("venue: arxiv", "venue: tmlr")
        .replace("methods: [tuned-lens, logit-lens]", "methods: [tuned-lens, perturbation]")
        .replace("A fixture record used by the test suite.", "A fixture record, edited.")
    )
    modalities = root / "taxonomy" / "modalities.yaml"
    modalities.write_text(
        modalities.read_text() + "- {id: audio, name: Audio, description: Sound and speech.}\n"
    )


def test_a_pull_request_gets_the_expected_summary(repo: Path) -> None:
    _pull_request(repo)
    result = CliRunner().invoke(main, ["--root", str(repo), "diff", "main"])
    assert result.exit_code == 0, result.output
    assert_golden("contrib/diff.md", result.output)


def test_a_branch_without_changes_says_so(repo: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(repo), "diff", "main"])
    assert result.exit_code == 0, result.output
    assert "**0 added · 0 removed · 0 renamed · 0 changed**" in result.output
    assert "No record or vocabulary changes." in result.output


def test_only_changed_files_are_compared(repo: Path) -> None:
    """A file rewritten with the same content is no change."""
    path = repo / "papers" / "belrose2023eliciting.yaml"
    path.write_text(path.read_text())
    result = CliRunner().invoke(main, ["--root", str(repo), "diff", "main"])
    assert "No record or vocabulary changes." in result.output


def test_an_unknown_revision_is_a_usage_error(repo: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(repo), "diff", "no-such-branch"])
    assert result.exit_code == 2
    assert "error[bad-revision]: 'no-such-branch' is not a revision of this repository" in (
        result.output
    )


def test_record_text_cannot_inject_markdown_or_html() -> None:
    hostile = (
        'id: evil2024x\ntitle: "<script>alert(1)</script> | *bold* [link](http://x) `code`"\n'
        'authors: [A B]\nyear: 2024\nvenue: "arxiv` | x"\n'
    )
    text = render_markdown(diff_knowledge_base({}, {"papers/evil2024x.yaml": hostile}, [], "main"))
    row = next(line for line in text.splitlines() if line.startswith("| `evil2024x`"))
    assert "<script>" not in text
    assert row == (
        "| `evil2024x` | &lt;script&gt;alert(1)&lt;/script&gt; \\| \\*bold\\* \\[link\\](http://x) "
        "\\`code\\` | ``arxiv` \\| x`` | 2024 |"
    )
