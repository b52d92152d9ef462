"""The paper record schema. Vocabulary fields are narrowed to the loaded taxonomy at run time."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from kb.core.fields import ArxivId, Doi, RecordId, Text, Url, VocabId, Year
from kb.core.taxonomy import Taxonomy

__all__ = [
    "FIELD_ORDER",
    "VOCABULARY_FIELDS",
    "EntryType",
    "Finding",
    "Kind",
    "Paper",
    "paper_model",
]

EntryType = Literal["article", "inproceedings", "misc", "techreport", "phdthesis", "incollection"]
Kind = Literal["research", "survey", "foundation"]


# Generous bounds: they only keep a hostile file from making every later stage slow.
MAX_AUTHORS = 1_000
MAX_ITEMS = 50
MAX_CITES = 1_000


class Finding(BaseModel):
    """A key result in our own words; `where` points into the paper (section, table, figure)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    text: Text
    where: Text | None = None


def _no_repeats(values: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError(
                "duplicate-value", "'{value}' is listed twice", {"value": value}
            )
        seen.add(value)
    return values


class Paper(BaseModel):
    """One paper. Field order here is the canonical order `kb fmt` writes."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: RecordId
    title: Text
    authors: tuple[Text, ...] = Field(min_length=1, max_length=MAX_AUTHORS)
    year: Year
    venue: VocabId
    kind: Kind = "research"
    entry_type: EntryType | None = None
    arxiv: ArxivId | None = None
    doi: Doi | None = None
    url: Url | None = None
    code: Url | None = None
    taxonomy: tuple[VocabId, ...] = Field(min_length=1)
    methods: tuple[VocabId, ...] = Field(min_length=1)
    modalities: tuple[VocabId, ...] = Field(min_length=1)
    models: tuple[VocabId, ...] = ()
    summary: Text
    findings: tuple[Finding, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    strengths: tuple[Text, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    limitations: tuple[Text, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    sources: tuple[Url, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    cites: tuple[RecordId, ...] = Field(default=(), max_length=MAX_CITES)
    aliases: tuple[RecordId, ...] = ()
    added: date | None = None

    @field_validator(
        "authors", "taxonomy", "methods", "modalities", "models", "sources", "cites", "aliases"
    )
    @classmethod
    def _unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _no_repeats(values)

    @property
    def leaf(self) -> str:
        """The primary taxonomy leaf."""
        return self.taxonomy[0]


FIELD_ORDER: tuple[str, ...] = tuple(Paper.model_fields)

# Which vocabulary each field draws from, and the error code for an id not in it.
VOCABULARY_FIELDS: dict[str, tuple[str, str]] = {
    "venue": ("venues", "unknown-venue"),
    "taxonomy": ("perspectives", "unknown-leaf"),
    "methods": ("methods", "unknown-method"),
    "modalities": ("modalities", "unknown-modality"),
    "models": ("models", "unknown-model"),
}


def _choice(ids: list[str]) -> Any:
    # NOTE: an empty vocabulary still needs a type; a Literal of one impossible value rejects all.
    return Literal[tuple(ids) or ("<none>",)]


def _many(ids: list[str]) -> Any:
    return tuple.__class_getitem__((_choice(ids), ...))


def paper_model(taxonomy: Taxonomy) -> type[Paper]:
    """A `Paper` subclass whose vocabulary fields accept only ids of `taxonomy`.

    Built at run time so the schema, the JSON Schema and the error messages follow the
    vocabulary files without code changes.
    """
    fields: dict[str, Any] = {
        "venue": (_choice(list(taxonomy.venues)), ...),
        "taxonomy": (_many(taxonomy.leaves), Field(min_length=1)),
        "methods": (_many(list(taxonomy.methods)), Field(min_length=1)),
        "modalities": (_many(list(taxonomy.modalities)), Field(min_length=1)),
        "models": (_many(list(taxonomy.models)), ()),
    }
    return create_model("Paper", __base__=Paper, __module__=__name__, **fields)
