"""The whole knowledge base as data: one JSON document (with its JSON Schema) and SQLite.

Both exist so the records can be reused without this package: the JSON with any language's
JSON library (its schema says what each field holds), the SQLite database with SQL tools such
as Datasette or the `sqlite3` shell. Both round-trip: `kb_from_document` and `sqlite_document`
read them back into exactly the document `kb_document` wrote.

The SQLite database has one table per vocabulary and for papers, link tables for every list
(authors, categories, methods, modalities, models, citations, ...) with a `position` column that
keeps the record's order, and the graph of `kb.graph.build.build_graph` as `nodes` and `edges`.
Foreign keys are declared and checked while the database is built. `citations` keeps each
record's `cites` list as written (an entry may be an old key listed in `aliases`); the resolved
citation graph, with foreign keys, is the `edges` table (kind 'cites').
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from kb.core.records import Paper, paper_model
from kb.core.schema import json_schema
from kb.core.taxonomy import (
    VOCABULARY_FILES,
    Benchmark,
    Method,
    Modality,
    Model,
    Perspective,
    Property,
    ScreenedList,
    SurveyText,
    Taxonomy,
    Venue,
)
from kb.core.validate import KnowledgeBase

__all__ = [
    "DOCUMENT_FORMAT",
    "SQLITE_SCHEMA",
    "document_schema",
    "kb_document",
    "kb_from_document",
    "kb_sqlite",
    "sqlite_document",
]

DOCUMENT_FORMAT = "mllm-xai-kb/1"


class _Vocabularies(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    perspectives: tuple[Perspective, ...]
    methods: tuple[Method, ...]
    modalities: tuple[Modality, ...]
    models: tuple[Model, ...]
    venues: tuple[Venue, ...]
    properties: tuple[Property, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()
    screening: tuple[ScreenedList, ...] = ()
    survey: tuple[SurveyText, ...] = ()


def _document_model(taxonomy: Taxonomy) -> type[BaseModel]:
    record = paper_model(taxonomy)

    class Document(BaseModel):
        """The whole knowledge base: vocabularies in file order, then papers by id."""

        model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

        format: str
        taxonomy: _Vocabularies
        papers: tuple[record, ...]  # type: ignore[valid-type]

    return Document


def kb_document(kb: KnowledgeBase) -> dict[str, Any]:
    """The knowledge base as one JSON-ready mapping (every field, None included)."""
    taxonomy = {
        name: [entry.model_dump(mode="json") for entry in getattr(kb.taxonomy, name).values()]
        for name in VOCABULARY_FILES
    }
    papers = [paper.model_dump(mode="json") for paper in kb.papers.values()]
    return {"format": DOCUMENT_FORMAT, "taxonomy": taxonomy, "papers": papers}


def document_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """The JSON Schema (2020-12) of `kb_document`'s output, vocabularies as enums."""
    return json_schema(
        _document_model(taxonomy),
        "kb",
        "mllm-xai-kb knowledge base",
        "The whole knowledge base: vocabularies, then every paper record.",
    )


def kb_from_document(text: str) -> tuple[Taxonomy, dict[str, Paper]]:
    """Read a JSON document written from `kb_document` back into typed values.

    Raises:
        pydantic.ValidationError: when the document does not match the schema.
    """
    raw = json.loads(text)
    vocabularies = _Vocabularies.model_validate_json(json.dumps(raw.get("taxonomy")))
    taxonomy = Taxonomy(
        **{
            name: {entry.id: entry for entry in getattr(vocabularies, name)}
            for name in VOCABULARY_FILES
        }
    )
    document = _document_model(taxonomy).model_validate_json(text)
    papers: Sequence[Paper] = document.papers  # type: ignore[attr-defined]
    return taxonomy, {paper.id: paper for paper in papers}


SQLITE_SCHEMA = """\
PRAGMA foreign_keys = ON;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE venues (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, "full" TEXT NOT NULL,
  kind TEXT NOT NULL);
CREATE TABLE categories (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  parent TEXT REFERENCES categories(id), is_leaf INTEGER NOT NULL, overview TEXT);
CREATE TABLE modalities (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE models (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, organisation TEXT,
  year INTEGER, vision_encoder TEXT, connector TEXT, language_model TEXT, url TEXT);
CREATE TABLE model_sources (
  model_id TEXT NOT NULL REFERENCES models(id), position INTEGER NOT NULL, url TEXT NOT NULL,
  PRIMARY KEY (model_id, position));
CREATE TABLE papers (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, year INTEGER NOT NULL,
  venue TEXT NOT NULL REFERENCES venues(id), kind TEXT NOT NULL, entry_type TEXT, arxiv TEXT,
  doi TEXT, url TEXT, code TEXT, category TEXT NOT NULL REFERENCES categories(id),
  summary TEXT NOT NULL, added TEXT, tldr TEXT);
CREATE TABLE methods (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  access TEXT NOT NULL, scope TEXT NOT NULL, stage TEXT NOT NULL, granularity TEXT NOT NULL,
  introduced_by TEXT REFERENCES papers(id));
CREATE TABLE method_extends (
  method_id TEXT NOT NULL REFERENCES methods(id), position INTEGER NOT NULL,
  parent_id TEXT NOT NULL REFERENCES methods(id), PRIMARY KEY (method_id, position));
CREATE TABLE method_notes (
  method_id TEXT NOT NULL REFERENCES methods(id),
  kind TEXT NOT NULL CHECK (kind IN ('strength', 'limitation')), position INTEGER NOT NULL,
  text TEXT NOT NULL, PRIMARY KEY (method_id, kind, position));
CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE paper_authors (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  author_id INTEGER NOT NULL REFERENCES authors(id), PRIMARY KEY (paper_id, position));
CREATE TABLE paper_categories (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  category_id TEXT NOT NULL REFERENCES categories(id), PRIMARY KEY (paper_id, position));
CREATE TABLE paper_methods (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  method_id TEXT NOT NULL REFERENCES methods(id), PRIMARY KEY (paper_id, position));
CREATE TABLE paper_modalities (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  modality_id TEXT NOT NULL REFERENCES modalities(id), PRIMARY KEY (paper_id, position));
CREATE TABLE paper_models (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  model_id TEXT NOT NULL REFERENCES models(id), PRIMARY KEY (paper_id, position));
CREATE TABLE findings (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL, text TEXT NOT NULL,
  "where" TEXT, PRIMARY KEY (paper_id, position));
CREATE TABLE paper_notes (
  paper_id TEXT NOT NULL REFERENCES papers(id),
  kind TEXT NOT NULL CHECK (kind IN ('strength', 'limitation')), position INTEGER NOT NULL,
  text TEXT NOT NULL, PRIMARY KEY (paper_id, kind, position));
CREATE TABLE paper_sources (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL, url TEXT NOT NULL,
  PRIMARY KEY (paper_id, position));
CREATE TABLE citations (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  cited_id TEXT NOT NULL, PRIMARY KEY (paper_id, position));
CREATE TABLE aliases (
  alias TEXT PRIMARY KEY, paper_id TEXT NOT NULL REFERENCES papers(id),
  position INTEGER NOT NULL);
CREATE TABLE properties (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, question TEXT NOT NULL,
  description TEXT NOT NULL, when_yes TEXT, when_no TEXT, open_problem INTEGER);
CREATE TABLE property_answers (
  property_id TEXT NOT NULL REFERENCES properties(id), position INTEGER NOT NULL,
  answer TEXT NOT NULL, PRIMARY KEY (property_id, position));
CREATE TABLE benchmarks (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  url TEXT, introduced_by TEXT REFERENCES papers(id));
CREATE TABLE metrics (
  benchmark_id TEXT NOT NULL REFERENCES benchmarks(id), position INTEGER NOT NULL,
  id TEXT NOT NULL, name TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN
  ('higher', 'lower')), min REAL, max REAL, PRIMARY KEY (benchmark_id, id));
-- value: the answer as JSON (true, false, "partial", "low", ...), so nothing is ambiguous.
CREATE TABLE paper_properties (
  paper_id TEXT NOT NULL REFERENCES papers(id), property_id TEXT NOT NULL
  REFERENCES properties(id), value TEXT NOT NULL, "where" TEXT,
  PRIMARY KEY (paper_id, property_id));
-- value and baseline have no declared type: a whole number stays one, as the paper prints it.
CREATE TABLE results (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  benchmark_id TEXT NOT NULL REFERENCES benchmarks(id), metric TEXT NOT NULL,
  model_id TEXT NOT NULL REFERENCES models(id), setting TEXT, value NOT NULL, baseline,
  "where" TEXT NOT NULL, PRIMARY KEY (paper_id, position));
CREATE TABLE relations (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL, type TEXT NOT NULL,
  target_id TEXT NOT NULL, note TEXT NOT NULL, PRIMARY KEY (paper_id, position));
-- The screening log: the lists candidate works came from, and what became of each work.
CREATE TABLE screened_lists (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, url TEXT, description TEXT);
CREATE TABLE candidates (
  list_id TEXT NOT NULL REFERENCES screened_lists(id), position INTEGER NOT NULL,
  title TEXT NOT NULL, arxiv TEXT, decision TEXT NOT NULL CHECK (decision IN
  ('included', 'excluded', 'deferred')), record_id TEXT, reason TEXT, note TEXT,
  PRIMARY KEY (list_id, position));
CREATE TABLE survey_texts (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, overview TEXT NOT NULL);
CREATE TABLE nodes (id TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT NULL);
CREATE TABLE edges (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL REFERENCES nodes(id),
  target TEXT NOT NULL REFERENCES nodes(id), kind TEXT NOT NULL);
CREATE INDEX edges_source ON edges(source);
CREATE INDEX edges_target ON edges(target);
"""

_LINKS = (
    ("paper_categories", "category_id", "taxonomy"),
    ("paper_methods", "method_id", "methods"),
    ("paper_modalities", "modality_id", "modalities"),
    ("paper_models", "model_id", "models"),
    ("paper_sources", "url", "sources"),
    ("citations", "cited_id", "cites"),
)


def _rows(values: Iterable[Any]) -> list[tuple[int, Any]]:
    return list(enumerate(values))


def _model_parts(model: Model) -> tuple[str | None, ...]:
    return (model.vision_encoder, model.connector, model.language_model, model.url)


def _properties(method: Method) -> tuple[str, ...]:
    props = method.properties
    return (props.access, props.scope, props.stage, props.granularity)


def _identifiers(paper: Paper) -> tuple[str | None, ...]:
    return (paper.arxiv, paper.doi, paper.url, paper.code)


def _rest(paper: Paper) -> tuple[str | None, ...]:
    added = paper.added.isoformat() if paper.added else None
    return (paper.leaf, paper.summary, added, paper.tldr)


def _insert_vocabularies(db: sqlite3.Connection, taxonomy: Taxonomy) -> None:
    leaves = set(taxonomy.leaves)
    db.executemany(
        "INSERT INTO venues VALUES (?, ?, ?, ?, ?)",
        [(v.id, i, v.name, v.full, v.kind) for i, v in _rows(taxonomy.venues.values())],
    )
    # NOTE: parents may come after children in the file, so the tree goes in two passes.
    db.executemany(
        "INSERT INTO categories VALUES (?, ?, ?, ?, NULL, ?, ?)",
        [
            (p.id, i, p.name, p.description, p.id in leaves, p.overview)
            for i, p in _rows(taxonomy.perspectives.values())
        ],
    )
    db.executemany(
        "UPDATE categories SET parent = ? WHERE id = ?",
        [(p.parent, p.id) for p in taxonomy.perspectives.values() if p.parent is not None],
    )
    db.executemany(
        "INSERT INTO modalities VALUES (?, ?, ?, ?)",
        [(m.id, i, m.name, m.description) for i, m in _rows(taxonomy.modalities.values())],
    )
    models = list(taxonomy.models.values())
    db.executemany(
        "INSERT INTO models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(m.id, i, m.name, m.organisation, m.year, *_model_parts(m)) for i, m in _rows(models)],
    )
    db.executemany(
        "INSERT INTO model_sources VALUES (?, ?, ?)",
        [(m.id, i, url) for m in models for i, url in _rows(m.sources)],
    )


def _insert_methods(db: sqlite3.Connection, taxonomy: Taxonomy) -> None:
    methods = list(taxonomy.methods.values())
    db.executemany(
        "INSERT INTO methods VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (m.id, i, m.name, m.description, *_properties(m), m.introduced_by)
            for i, m in _rows(methods)
        ],
    )
    db.executemany(
        "INSERT INTO method_extends VALUES (?, ?, ?)",
        [(m.id, i, parent) for m in methods for i, parent in _rows(m.extends)],
    )
    db.executemany(
        "INSERT INTO method_notes VALUES (?, ?, ?, ?)",
        [(m.id, "strength", i, text) for m in methods for i, text in _rows(m.strengths)]
        + [(m.id, "limitation", i, text) for m in methods for i, text in _rows(m.limitations)],
    )


def _insert_papers(db: sqlite3.Connection, papers: Sequence[Paper]) -> None:
    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (p.id, p.title, p.year, p.venue, p.kind, p.entry_type, *_identifiers(p), *_rest(p))
            for p in papers
        ],
    )
    names = sorted({name for p in papers for name in p.authors})
    author_ids = {name: index + 1 for index, name in enumerate(names)}
    db.executemany("INSERT INTO authors VALUES (?, ?)", [(i, n) for n, i in author_ids.items()])
    db.executemany(
        "INSERT INTO paper_authors VALUES (?, ?, ?)",
        [(p.id, i, author_ids[name]) for p in papers for i, name in _rows(p.authors)],
    )
    for table, _, field in _LINKS:
        db.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?)",
            [(p.id, i, value) for p in papers for i, value in _rows(getattr(p, field))],
        )
    db.executemany(
        "INSERT INTO findings VALUES (?, ?, ?, ?)",
        [(p.id, i, f.text, f.where) for p in papers for i, f in _rows(p.findings)],
    )
    db.executemany(
        "INSERT INTO paper_notes VALUES (?, ?, ?, ?)",
        [(p.id, "strength", i, text) for p in papers for i, text in _rows(p.strengths)]
        + [(p.id, "limitation", i, text) for p in papers for i, text in _rows(p.limitations)],
    )
    db.executemany(
        "INSERT INTO aliases VALUES (?, ?, ?)",
        [(alias, p.id, i) for p in papers for i, alias in _rows(p.aliases)],
    )
    _insert_evidence(db, papers)


def _insert_evidence(db: sqlite3.Connection, papers: Sequence[Paper]) -> None:
    db.executemany(
        "INSERT INTO paper_properties VALUES (?, ?, ?, ?)",
        [
            (p.id, name, json.dumps(answer.value), answer.where)
            for p in papers
            for name, answer in p.properties.items()
        ],
    )
    db.executemany(
        "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (p.id, i, r.benchmark, r.metric, r.model, r.setting, r.value, r.baseline, r.where)
            for p in papers
            for i, r in _rows(p.results)
        ],
    )
    db.executemany(
        "INSERT INTO relations VALUES (?, ?, ?, ?, ?)",
        [(p.id, i, r.type, r.target, r.note) for p in papers for i, r in _rows(p.relations)],
    )


def _insert_evidence_vocabularies(db: sqlite3.Connection, taxonomy: Taxonomy) -> None:
    properties = list(taxonomy.properties.values())
    db.executemany(
        "INSERT INTO properties VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (q.id, i, q.name, q.question, q.description, q.when_yes, q.when_no, q.open_problem)
            for i, q in _rows(properties)
        ],
    )
    db.executemany(
        "INSERT INTO property_answers VALUES (?, ?, ?)",
        [(q.id, i, answer) for q in properties for i, answer in _rows(q.answers)],
    )
    benchmarks = list(taxonomy.benchmarks.values())
    db.executemany(
        "INSERT INTO benchmarks VALUES (?, ?, ?, ?, ?, ?)",
        [(b.id, i, b.name, b.description, b.url, b.introduced_by) for i, b in _rows(benchmarks)],
    )
    db.executemany(
        "INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (b.id, i, m.id, m.name, m.direction, m.min, m.max)
            for b in benchmarks
            for i, m in _rows(b.metrics)
        ],
    )


def _insert_screening(db: sqlite3.Connection, taxonomy: Taxonomy) -> None:
    lists = list(taxonomy.screening.values())
    db.executemany(
        "INSERT INTO screened_lists VALUES (?, ?, ?, ?, ?)",
        [(s.id, i, s.name, s.url, s.description) for i, s in _rows(lists)],
    )
    db.executemany(
        "INSERT INTO candidates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (s.id, i, c.title, c.arxiv, c.decision, c.record, c.reason, c.note)
            for s in lists
            for i, c in _rows(s.candidates)
        ],
    )


def _insert_survey_texts(db: sqlite3.Connection, taxonomy: Taxonomy) -> None:
    db.executemany(
        "INSERT INTO survey_texts VALUES (?, ?, ?, ?)",
        [(t.id, i, t.name, t.overview) for i, t in _rows(taxonomy.survey.values())],
    )


def _insert_graph(db: sqlite3.Connection, kb: KnowledgeBase) -> None:
    from kb.graph.build import build_graph

    graph = build_graph(kb)
    db.executemany(
        "INSERT INTO nodes VALUES (?, ?, ?)",
        sorted(
            (str(node), str(data.get("kind", "")), str(data.get("label", node)))
            for node, data in graph.nodes(data=True)
        ),
    )
    edges = sorted(
        (str(source), str(target), str(data.get("kind", "")))
        for source, target, data in graph.edges(data=True)
    )
    db.executemany(
        "INSERT INTO edges VALUES (?, ?, ?, ?)",
        [(index + 1, *edge) for index, edge in enumerate(edges)],
    )


def kb_sqlite(kb: KnowledgeBase) -> bytes:
    """The knowledge base as the bytes of an SQLite database file (built in memory).

    Raises:
        sqlite3.IntegrityError: when a link points at nothing, which `kb validate` reports
            first (run the export only on a knowledge base without errors).
    """
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SQLITE_SCHEMA)
        with db:
            # NOTE: papers and methods point at each other; check the links once, at commit.
            db.execute("PRAGMA defer_foreign_keys = ON")
            db.execute("INSERT INTO meta VALUES ('format', ?)", (DOCUMENT_FORMAT,))
            _insert_vocabularies(db, kb.taxonomy)
            _insert_papers(db, list(kb.papers.values()))
            _insert_methods(db, kb.taxonomy)
            _insert_evidence_vocabularies(db, kb.taxonomy)
            _insert_screening(db, kb.taxonomy)
            _insert_survey_texts(db, kb.taxonomy)
            _insert_graph(db, kb)
        return db.serialize()
    finally:
        db.close()


def _select(db: sqlite3.Connection, sql: str) -> list[sqlite3.Row]:
    return list(db.execute(sql))


def _grouped(db: sqlite3.Connection, sql: str) -> dict[str, list[Any]]:
    """(owner, value) rows, already ordered, as owner -> values."""
    out: dict[str, list[Any]] = {}
    for owner, value in db.execute(sql):
        out.setdefault(owner, []).append(value)
    return out


def sqlite_document(data: bytes) -> dict[str, Any]:
    """Read an SQLite database from `kb_sqlite` back into the mapping `kb_document` returns."""
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        db.row_factory = sqlite3.Row
        return {
            "format": db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()[0],
            "taxonomy": _read_taxonomy(db),
            "papers": _read_papers(db),
        }
    finally:
        db.close()


def _read_taxonomy(db: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    perspectives = [
        {"id": r["id"], "name": r["name"], "description": r["description"], "parent": r["parent"]}
        | {"overview": r["overview"]}
        for r in _select(db, "SELECT * FROM categories ORDER BY position")
    ]
    extends = _grouped(db, "SELECT method_id, parent_id FROM method_extends ORDER BY 1, position")
    notes = {
        kind: _grouped(
            db,
            f"SELECT method_id, text FROM method_notes WHERE kind = '{kind}' ORDER BY 1, position",
        )
        for kind in ("strength", "limitation")
    }
    methods = [
        {
            "id": r["id"],
            "name": r["name"],
            "description": r["description"],
            "properties": {key: r[key] for key in ("access", "scope", "stage", "granularity")},
            "extends": extends.get(r["id"], []),
            "strengths": notes["strength"].get(r["id"], []),
            "limitations": notes["limitation"].get(r["id"], []),
            "introduced_by": r["introduced_by"],
        }
        for r in _select(db, "SELECT * FROM methods ORDER BY position")
    ]
    modalities = [
        {"id": r["id"], "name": r["name"], "description": r["description"]}
        for r in _select(db, "SELECT * FROM modalities ORDER BY position")
    ]
    sources = _grouped(db, "SELECT model_id, url FROM model_sources ORDER BY 1, position")
    model_keys = ("name", "organisation", "year", "vision_encoder", "connector")
    models = [
        {"id": r["id"], **{key: r[key] for key in (*model_keys, "language_model", "url")}}
        | {"sources": sources.get(r["id"], [])}
        for r in _select(db, "SELECT * FROM models ORDER BY position")
    ]
    venues = [
        {"id": r["id"], "name": r["name"], "full": r["full"], "kind": r["kind"]}
        for r in _select(db, "SELECT * FROM venues ORDER BY position")
    ]
    return {
        "perspectives": perspectives,
        "methods": methods,
        "modalities": modalities,
        "models": models,
        "venues": venues,
        **_read_evidence_vocabularies(db),
    }


def _read_evidence_vocabularies(db: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    answers = _grouped(db, "SELECT property_id, answer FROM property_answers ORDER BY 1, position")
    properties = [
        {"id": r["id"], "name": r["name"], "question": r["question"]}
        | {"description": r["description"], "answers": answers.get(r["id"], [])}
        | {"when_yes": r["when_yes"], "when_no": r["when_no"]}
        | {"open_problem": None if r["open_problem"] is None else bool(r["open_problem"])}
        for r in _select(db, "SELECT * FROM properties ORDER BY position")
    ]
    metrics: dict[str, list[dict[str, Any]]] = {}
    for r in _select(db, "SELECT * FROM metrics ORDER BY benchmark_id, position"):
        metrics.setdefault(r["benchmark_id"], []).append(
            {key: r[key] for key in ("id", "name", "direction", "min", "max")}
        )
    benchmarks = [
        {key: r[key] for key in ("id", "name", "description", "url", "introduced_by")}
        | {"metrics": metrics.get(r["id"], [])}
        for r in _select(db, "SELECT * FROM benchmarks ORDER BY position")
    ]
    candidates: dict[str, list[dict[str, Any]]] = {}
    for r in _select(db, "SELECT * FROM candidates ORDER BY list_id, position"):
        candidates.setdefault(r["list_id"], []).append(
            {"title": r["title"], "arxiv": r["arxiv"], "decision": r["decision"]}
            | {"record": r["record_id"], "reason": r["reason"], "note": r["note"]}
        )
    screening = [
        {key: r[key] for key in ("id", "name", "url", "description")}
        | {"candidates": candidates.get(r["id"], [])}
        for r in _select(db, "SELECT * FROM screened_lists ORDER BY position")
    ]
    survey = [
        {key: r[key] for key in ("id", "name", "overview")}
        for r in _select(db, "SELECT * FROM survey_texts ORDER BY position")
    ]
    return {
        "properties": properties,
        "benchmarks": benchmarks,
        "screening": screening,
        "survey": survey,
    }


def _read_evidence(db: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Properties, results and relations of every paper, by paper id."""
    evidence: dict[str, dict[str, Any]] = {}

    def of(pid: str) -> dict[str, Any]:
        return evidence.setdefault(pid, {"properties": {}, "results": [], "relations": []})

    for r in _select(db, "SELECT * FROM paper_properties ORDER BY paper_id, property_id"):
        value = json.loads(r["value"])
        of(r["paper_id"])["properties"][r["property_id"]] = {"value": value, "where": r["where"]}
    result_keys = ("metric", "setting", "value", "baseline", "where")
    for r in _select(db, "SELECT * FROM results ORDER BY paper_id, position"):
        of(r["paper_id"])["results"].append(
            {"benchmark": r["benchmark_id"], "model": r["model_id"]}
            | {key: r[key] for key in result_keys}
        )
    for r in _select(db, "SELECT * FROM relations ORDER BY paper_id, position"):
        of(r["paper_id"])["relations"].append(
            {"type": r["type"], "target": r["target_id"], "note": r["note"]}
        )
    return evidence


def _read_papers(db: sqlite3.Connection) -> list[dict[str, Any]]:
    authors = _grouped(
        db,
        "SELECT paper_id, name FROM paper_authors JOIN authors ON authors.id = author_id "
        "ORDER BY paper_id, position",
    )
    links = {
        field: _grouped(
            db,
            f"SELECT paper_id, {column} FROM {table} ORDER BY 1, position",
        )
        for table, column, field in _LINKS
    }
    findings: dict[str, list[dict[str, Any]]] = {}
    for r in _select(db, 'SELECT paper_id, text, "where" FROM findings ORDER BY 1, position'):
        findings.setdefault(r["paper_id"], []).append({"text": r["text"], "where": r["where"]})
    notes = {
        kind: _grouped(
            db,
            f"SELECT paper_id, text FROM paper_notes WHERE kind = '{kind}' ORDER BY 1, position",
        )
        for kind in ("strength", "limitation")
    }
    aliases = _grouped(db, "SELECT paper_id, alias FROM aliases ORDER BY 1, position")
    evidence = _read_evidence(db)
    empty: dict[str, Any] = {"properties": {}, "results": [], "relations": []}
    papers: list[dict[str, Any]] = []
    for r in _select(db, "SELECT * FROM papers ORDER BY id"):
        pid = r["id"]
        papers.append(
            {
                "id": pid,
                "title": r["title"],
                "authors": authors.get(pid, []),
                "year": r["year"],
                "venue": r["venue"],
                "kind": r["kind"],
                "entry_type": r["entry_type"],
                "arxiv": r["arxiv"],
                "doi": r["doi"],
                "url": r["url"],
                "code": r["code"],
                "taxonomy": links["taxonomy"].get(pid, []),
                "methods": links["methods"].get(pid, []),
                "modalities": links["modalities"].get(pid, []),
                "models": links["models"].get(pid, []),
                "tldr": r["tldr"],
                "summary": r["summary"],
                "findings": findings.get(pid, []),
                "strengths": notes["strength"].get(pid, []),
                "limitations": notes["limitation"].get(pid, []),
                **evidence.get(pid, empty),
                "sources": links["sources"].get(pid, []),
                "cites": links["cites"].get(pid, []),
                "aliases": aliases.get(pid, []),
                "added": r["added"],
            }
        )
    return papers
