"""JSON and SQLite exports: golden files, schema validity, round trips, foreign keys."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from kb.cli.app import main
from kb.cli.export import export
from kb.core.pipeline import load_knowledge_base
from kb.core.records import paper_model
from kb.core.validate import KnowledgeBase
from kb.export.dump import (
    document_schema,
    kb_document,
    kb_from_document,
    kb_sqlite,
    sqlite_document,
)
from tests.conftest import FIXTURE_KB, FIXTURES, REPO, assert_golden
from tests.strategies import records

EXPORT_KB = FIXTURES / "export"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(EXPORT_KB).kb


def _connect(data: bytes) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    return db


def _dumped(papers: dict[str, object]) -> dict[str, object]:
    return {key: paper.model_dump() for key, paper in papers.items()}  # type: ignore[attr-defined]


def test_the_json_document_matches_its_golden_file(kb: KnowledgeBase) -> None:
    text = json.dumps(kb_document(kb), indent=2, ensure_ascii=False) + "\n"
    assert_golden("export/kb.json", text)


def test_the_json_document_is_valid_against_its_own_schema(kb: KnowledgeBase) -> None:
    schema = document_schema(kb.taxonomy)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(kb_document(kb), schema)


def test_the_schema_rejects_a_paper_with_an_unknown_method(kb: KnowledgeBase) -> None:
    document = kb_document(kb)
    document["papers"][0]["methods"] = ["not-a-method"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, document_schema(kb.taxonomy))


def test_the_json_document_reads_back_into_the_same_records_and_vocabularies(
    kb: KnowledgeBase,
) -> None:
    taxonomy, papers = kb_from_document(json.dumps(kb_document(kb)))
    assert taxonomy == kb.taxonomy
    assert _dumped(papers) == _dumped(kb.papers)


def test_the_sqlite_database_reads_back_into_the_same_document(kb: KnowledgeBase) -> None:
    assert sqlite_document(kb_sqlite(kb)) == kb_document(kb)


def test_the_sqlite_schema_and_rows_match_their_golden_dump(kb: KnowledgeBase) -> None:
    db = _connect(kb_sqlite(kb))
    assert_golden("export/kb.sql", "\n".join(db.iterdump()) + "\n")


def test_the_sqlite_database_declares_and_satisfies_its_foreign_keys(kb: KnowledgeBase) -> None:
    db = _connect(kb_sqlite(kb))
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    linked = {
        table: {row[2] for row in db.execute(f"PRAGMA foreign_key_list({table})")}
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert linked["papers"] == {"venues", "categories"}
    assert linked["paper_authors"] == {"papers", "authors"}
    assert linked["paper_methods"] == {"papers", "methods"}
    assert linked["paper_models"] == {"papers", "models"}
    assert linked["paper_categories"] == {"papers", "categories"}
    assert linked["edges"] == {"nodes"}


def test_sql_answers_questions_about_the_knowledge_base(kb: KnowledgeBase) -> None:
    db = _connect(kb_sqlite(kb))
    uses_llava = db.execute(
        "SELECT p.id FROM papers p JOIN paper_models m ON m.paper_id = p.id "
        "WHERE m.model_id = 'llava' ORDER BY p.id"
    ).fetchall()
    assert uses_llava == [("doe2024probing",), ("kim2024tuned",), ("lee2023measuring",)]
    # The graph resolves the old key mueller2022clip that kim2024tuned cites.
    cited = db.execute(
        "SELECT target FROM edges WHERE source = 'paper:kim2024tuned' AND kind = 'cites' "
        "ORDER BY target"
    ).fetchall()
    assert cited == [
        ("paper:belrose2023eliciting",),
        ("paper:doe2024probing",),
        ("paper:muller2022clip",),
    ]
    authors = db.execute(
        "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id "
        "WHERE pa.paper_id = 'muller2022clip' ORDER BY pa.position"
    ).fetchall()
    assert authors == [("Jürgen Müller",), ("López-Pérez, Ana María",), ("Zoë van Dijk",)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records)
def test_any_valid_record_round_trips_through_json_and_sqlite(record: dict[str, object]) -> None:
    base = load_knowledge_base(FIXTURE_KB).kb
    record = {**record, "cites": (), "aliases": ()}
    paper = paper_model(base.taxonomy).model_validate(record)
    papers = dict(sorted({**base.papers, paper.id: paper}.items()))
    kb = KnowledgeBase(base.taxonomy, papers, base.documents, base.vocabulary_documents)
    document = kb_document(kb)
    assert sqlite_document(kb_sqlite(kb)) == document
    _, back = kb_from_document(json.dumps(document))
    assert _dumped(back) == _dumped(kb.papers)


def test_the_commands_write_the_document_its_schema_and_the_database(tmp_path: Path) -> None:
    runner = CliRunner()
    root = ["--root", str(EXPORT_KB), "export"]
    result = runner.invoke(main, [*root, "json", "-o", str(tmp_path / "kb.json")])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads((tmp_path / "kb.schema.json").read_text()))
    result = runner.invoke(main, [*root, "sqlite", "-o", str(tmp_path / "kb.db")])
    assert result.exit_code == 0, result.output
    assert sqlite_document((tmp_path / "kb.db").read_bytes()) == document
    result = runner.invoke(main, [*root, "json", "--schema"])
    assert json.loads(result.stdout)["title"] == "mllm-xai-kb knowledge base"


def test_the_real_knowledge_base_round_trips_through_json_and_sqlite() -> None:
    kb = load_knowledge_base(REPO).kb
    document = kb_document(kb)
    jsonschema.validate(document, document_schema(kb.taxonomy))
    assert sqlite_document(kb_sqlite(kb)) == document
    _, papers = kb_from_document(json.dumps(document))
    assert _dumped(papers) == _dumped(kb.papers)


def test_every_export_subcommand_has_help_and_a_readme_row() -> None:
    reference = (REPO / "README.md").read_text().split("## Command reference", 1)[1]
    for name, command in export.commands.items():
        assert (command.help or "").strip(), name
        assert f"`kb export {name}" in reference, name
