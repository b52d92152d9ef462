"""`kb new`: a draft record from metadata, with its Scholar-style id and empty fields to fill."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from kb.core.fmt import format_fields
from kb.core.ids import scholar_id, unique_id
from kb.core.problems import Problem
from kb.core.records import Paper
from kb.core.taxonomy import Taxonomy
from kb.core.validate import did_you_mean

__all__ = ["Draft", "draft_record"]


@dataclass(frozen=True)
class Draft:
    """A new record's id and text, or the problems with the metadata given."""

    id: str
    text: str
    problems: list[Problem]


def _check(field: str, value: Any) -> list[Problem]:
    annotation: Any = Paper.model_fields[field].annotation
    try:
        TypeAdapter(annotation).validate_python(value, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        code = first["type"] if "-" in first["type"] else "bad-value"
        return [Problem(code, f"--{field}", f"{field}: {first['msg']}")]
    return []


def draft_record(
    taxonomy: Taxonomy,
    taken: Collection[str],
    *,
    title: str,
    authors: Sequence[str],
    year: int,
    venue: str,
    today: date,
    **optional: str | None,
) -> Draft:
    """A draft whose person-only fields (summary, ...) stay empty for `kb validate` to list."""
    fields: dict[str, Any] = {"title": title, "authors": tuple(authors), "year": year}
    fields |= {key: value for key, value in optional.items() if value}
    problems = [p for key, value in fields.items() for p in _check(key, value)]
    if venue not in taxonomy.venues:
        hint = did_you_mean(venue, taxonomy.venues)
        problems.append(
            Problem(
                "unknown-venue", "--venue", f"{venue!r} is not in taxonomy/venues.yaml", hint=hint
            )
        )
    record_id = unique_id(scholar_id(authors[0] if authors else "", year, title), taken)
    arxiv = fields.get("arxiv")
    data: dict[str, Any] = {
        "id": record_id,
        **fields,
        "venue": venue,
        "kind": "research",
        "taxonomy": (),
        "methods": (),
        "modalities": (),
        "models": (),
        "summary": "",
        "findings": (),
        "strengths": (),
        "limitations": (),
        "sources": (f"https://arxiv.org/abs/{arxiv}",) if arxiv else (),
        "cites": (),
        "added": today,
    }
    return Draft(record_id, format_fields(data, keep_empty=True), problems)
