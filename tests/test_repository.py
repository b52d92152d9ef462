"""The knowledge base in this repository is valid and canonical."""

from __future__ import annotations

from click.testing import CliRunner

from kb.cli.app import main
from tests.conftest import REPO


def test_the_repository_validates_strictly() -> None:
    result = CliRunner().invoke(main, ["--root", str(REPO), "validate", "--strict"])
    assert result.exit_code == 0, result.output


def test_the_repository_records_are_canonical() -> None:
    result = CliRunner().invoke(main, ["--root", str(REPO), "fmt", "--check"])
    assert result.exit_code == 0, result.output
