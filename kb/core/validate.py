"""Stage 2: turn loaded documents into typed, immutable vocabularies and records.

Every pydantic error is mapped back to the file, line and column it came from, and given a
stable code and, where it helps, a did-you-mean hint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from rapidfuzz import fuzz, process

from kb.core.load import Document
from kb.core.problems import Loc, Problem
from kb.core.records import VOCABULARY_FIELDS, Paper, paper_model
from kb.core.taxonomy import OPTIONAL_VOCABULARIES, VOCABULARY_FILES, Taxonomy

__all__ = [
    "KnowledgeBase",
    "did_you_mean",
    "flow_prose_problems",
    "validate_paper",
    "validate_papers",
    "validate_taxonomy",
]

E = TypeVar("E", bound=BaseModel)

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "bool_type": "true or false",
}


@dataclass(frozen=True)
class KnowledgeBase:
    """The typed records of the knowledge base, with the documents they came from."""

    taxonomy: Taxonomy
    papers: dict[str, Paper]
    documents: dict[str, Document]
    vocabulary_documents: dict[str, Document]


def did_you_mean(value: object, choices: Iterable[str], cutoff: float = 60) -> str | None:
    """A hint naming the closest choice to `value`, or None when nothing is close."""
    if not isinstance(value, str):
        return None
    match = process.extractOne(value, list(choices), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return f"did you mean {match[0]!r}?" if match else None


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _problem(
    doc: Document, base: Loc, error: ErrorDetails, fields: Sequence[str], taxonomy: Taxonomy | None
) -> Problem:
    loc: Loc = (*base, *error["loc"])
    kind = error["type"]
    value = error.get("input")
    name = ".".join(str(part) for part in error["loc"]) or "record"
    field = str(error["loc"][0]) if error["loc"] else ""
    position = doc.position(loc)
    hint: str | None = None
    if kind == "missing":
        code, message = "missing-field", f"missing required field {name!r}"
        position = doc.position(loc[:-1])  # the mapping that lacks it
    elif kind == "extra_forbidden":
        code, message = "unknown-field", f"unknown field {name!r}"
        hint = did_you_mean(error["loc"][-1], fields)
        position = doc.key_position(loc)
    elif kind == "literal_error" and field in VOCABULARY_FIELDS and taxonomy is not None:
        code, message, hint = _vocabulary_problem(field, value, taxonomy)
    elif kind == "literal_error":
        code = "bad-value"
        expected = (error.get("ctx") or {}).get("expected", "")
        message = f"{name}: {_show(value)} is not one of {expected}"
    elif kind == "too_short":
        code, message = "empty-value", f"{name} must list at least one entry"
    elif kind in _TYPE_NAMES:
        code = "wrong-type"
        message = f"{name} must be {_TYPE_NAMES[kind]}, not {type(value).__name__} {_show(value)}"
        hint = _type_hint(field, value)
    elif kind == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length", "the limit")
        code, message = "too-long", f"{name} is longer than {limit} characters"
    elif kind == "too_long":
        limit = (error.get("ctx") or {}).get("max_length", "the limit")
        code, message = "too-long", f"{name} lists more than {limit} entries"
    elif kind.startswith(("int_", "float_", "string_", "tuple_", "date_", "bool_")):
        code, message = "wrong-type", f"{name}: {error['msg']}"
    else:
        code, message = kind, f"{name}: {error['msg']}"
    return Problem(code, doc.path, message, position.line, position.col, hint, loc=loc)


def _type_hint(field: str, value: object) -> str | None:
    if field == "arxiv" and isinstance(value, int | float):
        return 'quote arXiv ids: arxiv: "2406.11193"'
    if field == "year" and isinstance(value, str):
        return "write the year as a number: year: 2024"
    if isinstance(value, str) and field not in ("year",):
        return f"write a list: {field}: [{value}]"
    return None


def _vocabulary_problem(
    field: str, value: object, taxonomy: Taxonomy
) -> tuple[str, str, str | None]:
    vocabulary, code = VOCABULARY_FIELDS[field]
    file = f"taxonomy/{vocabulary}.yaml"
    if field == "taxonomy":
        if isinstance(value, str) and value in taxonomy.perspectives:
            leaves = ", ".join(taxonomy.leaves_under(value))
            return code, f"{value!r} is a grouping node, not a leaf", f"use one of: {leaves}"
        return code, f"{_show(value)} is not a leaf of {file}", did_you_mean(value, taxonomy.leaves)
    choices = getattr(taxonomy, vocabulary)
    return code, f"{_show(value)} is not in {file}", did_you_mean(value, choices)


def _validate_entry(
    model: type[E], doc: Document, base: Loc, data: object, taxonomy: Taxonomy | None
) -> tuple[E | None, list[Problem]]:
    fields = list(model.model_fields)
    if not isinstance(data, dict):
        position = doc.position(base)
        kind = "a list" if isinstance(data, tuple) else type(data).__name__
        message = f"expected a mapping of fields, found {kind}"
        return None, [Problem("not-a-mapping", doc.path, message, position.line, position.col)]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        errors = _without_echoes(error.errors())
        return None, [_problem(doc, base, e, fields, taxonomy) for e in errors]


def _without_echoes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop a list's `too_short` when one of its items already failed: one mistake, one message."""
    failed_parents = {tuple(e["loc"][:-1]) for e in errors if len(e["loc"]) > 1}
    return [
        e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in failed_parents)
    ]


# Lists of sentences: in a YAML flow list ([a, b]) every comma splits an item, so a sentence with
# a comma silently becomes two fragments. They must be block lists, one `- item` a line.
PROSE_LISTS = ("strengths", "limitations", "findings")


def flow_prose_problems(doc: Document, prefix: Loc = ()) -> list[Problem]:
    """`flow-list` errors for the prose lists under `prefix` written as YAML flow lists."""
    return [
        doc.problem(
            (*prefix, field),
            "flow-list",
            f"{field} is written as a flow list [a, b], where every comma ends an item",
            f"write one item a line: `{field}:` then `  - A whole sentence, commas and all.`",
        )
        for field in PROSE_LISTS
        if (*prefix, field) in doc.flow
    ]


def validate_taxonomy(documents: dict[str, Document]) -> tuple[Taxonomy, list[Problem]]:
    """Typed vocabularies from `taxonomy/<name>.yaml` documents (keyed by name)."""
    problems: list[Problem] = []
    tables: dict[str, dict[str, Any]] = {}
    for name, model in VOCABULARY_FILES.items():
        table: dict[str, Any] = {}
        doc = documents.get(name)
        if doc is None:
            if name not in OPTIONAL_VOCABULARIES:
                problems.append(Problem("missing-file", f"taxonomy/{name}.yaml", "file is missing"))
        elif not isinstance(doc.data, tuple):
            problems.append(
                Problem("not-a-list", doc.path, "a vocabulary file is a list of entries")
            )
        else:
            for index, data in enumerate(doc.data):
                entry, found = _validate_entry(model, doc, (index,), data, None)
                problems += found + flow_prose_problems(doc, (index,))
                if entry is None:
                    continue
                eid = entry.id
                if eid in table:
                    position = doc.position((index, "id"))
                    problems.append(
                        Problem(
                            "duplicate-id",
                            doc.path,
                            f"id {eid!r} is defined twice in this file",
                            position.line,
                            position.col,
                        )
                    )
                    continue
                table[eid] = entry
        tables[name] = table
    taxonomy = Taxonomy(**tables)
    return taxonomy, problems + _check_taxonomy(taxonomy, documents)


def _references(taxonomy: Taxonomy) -> Iterable[tuple[str, str, Loc, str, dict[str, Any]]]:
    """(file, entry id, loc inside the entry, target id, table it must be in) of each link."""
    for node in taxonomy.perspectives.values():
        if node.parent is not None:
            yield "perspectives", node.id, ("parent",), node.parent, taxonomy.perspectives
    for method in taxonomy.methods.values():
        for offset, parent in enumerate(method.extends):
            yield "methods", method.id, ("extends", offset), parent, taxonomy.methods


def _check_taxonomy(taxonomy: Taxonomy, documents: dict[str, Document]) -> list[Problem]:
    problems: list[Problem] = []
    for file, entry_id, inner, target, table in _references(taxonomy):
        doc = documents.get(file)
        if target in table or doc is None:
            continue
        loc: Loc = (_index_of(doc, entry_id), *inner)
        position = doc.position(loc)
        code = "unknown-parent" if file == "perspectives" else "unknown-method"
        problems.append(
            Problem(
                code,
                doc.path,
                f"{target!r} is not in taxonomy/{file}.yaml",
                position.line,
                position.col,
                did_you_mean(target, table),
                loc=loc,
            )
        )
    return problems


def _index_of(doc: Document, entry_id: str) -> int:
    for index, data in enumerate(doc.data):
        if isinstance(data, dict) and data.get("id") == entry_id:
            return index
    return 0


def validate_paper(
    doc: Document, model: type[Paper], taxonomy: Taxonomy
) -> tuple[Paper | None, list[Problem]]:
    """One typed record from its document; its id must be its file's stem."""
    paper, problems = _validate_entry(model, doc, (), doc.data, taxonomy)
    if paper is None:
        return None, problems
    stem = PurePosixPath(doc.path).stem
    if paper.id != stem:
        position = doc.position(("id",))
        problems.append(
            Problem(
                "id-mismatch",
                doc.path,
                f"id {paper.id!r} does not match the file name {stem!r}",
                position.line,
                position.col,
                f"rename the file to {paper.id}.yaml, or set id: {stem}",
                loc=("id",),
            )
        )
        return None, problems
    return paper, problems


def validate_papers(
    documents: Sequence[Document], taxonomy: Taxonomy, vocabulary_documents: dict[str, Document]
) -> tuple[KnowledgeBase, list[Problem]]:
    """Typed records from paper documents, in id order."""
    model = paper_model(taxonomy)
    papers: dict[str, Paper] = {}
    sources: dict[str, Document] = {}
    problems: list[Problem] = []
    for doc in documents:
        paper, found = validate_paper(doc, model, taxonomy)
        problems += found
        if paper is not None:
            papers[paper.id] = paper
            sources[paper.id] = doc
    ordered = dict(sorted(papers.items()))
    return KnowledgeBase(taxonomy, ordered, sources, vocabulary_documents), problems
