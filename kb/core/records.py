"""The paper record schema. Vocabulary fields are narrowed to the loaded taxonomy at run time."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from kb.core.fields import ArxivId, Doi, RecordId, Text, Url, VocabId, Year
from kb.core.taxonomy import Taxonomy

__all__ = [
    "FIELD_ORDER",
    "RELATION_TYPES",
    "VOCABULARY_FIELDS",
    "Answer",
    "EntryType",
    "Finding",
    "Kind",
    "Paper",
    "Relation",
    "RelationType",
    "Result",
    "paper_model",
]

EntryType = Literal["article", "inproceedings", "misc", "techreport", "phdthesis", "incollection"]
Kind = Literal["research", "survey", "foundation"]


# Generous bounds: they only keep a hostile file from making every later stage slow.
MAX_AUTHORS = 1_000
MAX_ITEMS = 50
MAX_CITES = 1_000
MAX_RESULTS = 500


class Finding(BaseModel):
    """A key result in our own words; `where` points into the paper (section, table, figure)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    text: Text
    where: Text | None = None


def _answer_value(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip() == value and value:
        return value
    raise PydanticCustomError(
        "wrong-type",
        "an answer is true, false, partial or one of the property's classes, not {value}",
        {"value": repr(value)[:80]},
    )


class Answer(BaseModel):
    """A record's answer to a trade-off property, and where in the paper it is settled."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    value: Annotated[
        bool | str,
        PlainValidator(_answer_value),
        WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "string"}]}),
    ]
    where: Text | None = None

    @property
    def word(self) -> str:
        """The answer in words: yes, no, partial or the property's class."""
        if isinstance(self.value, bool):
            return "yes" if self.value else "no"
        return self.value


def _answer(value: Any) -> Any:
    """`training-free: true` is short for `training-free: {value: true}`."""
    return value if isinstance(value, dict | Answer) else {"value": value}


AnswerField = Annotated[
    Answer,
    BeforeValidator(_answer),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {
                        "value": {"anyOf": [{"type": "boolean"}, {"type": "string"}]},
                        "where": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    },
                    "required": ["value"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


def _number(value: Any) -> int | float:
    # NOTE: strict mode would report an int | float union twice; bool is an int in Python.
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise PydanticCustomError("bad-number", "not a finite number")
        return value
    raise PydanticCustomError(
        "wrong-type", "must be a number, not {value}", {"value": repr(value)[:80]}
    )


Number = Annotated[int | float, PlainValidator(_number), WithJsonSchema({"type": "number"})]
Setting = Annotated[Text, Field(max_length=80)]


class Result(BaseModel):
    """A number the paper reports on a benchmark, located in the paper (e.g. Table 2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    benchmark: VocabId
    metric: VocabId
    model: VocabId
    setting: Setting | None = None
    value: Number
    baseline: Number | None = None
    where: Text


RelationType = Literal[
    "extends", "improves-on", "compares-with", "contradicts", "reproduces", "applies"
]
RELATION_TYPES: tuple[str, ...] = get_args(RelationType)


class Relation(BaseModel):
    """A typed link to another record, with a short note in our own words on why."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    type: RelationType
    target: RecordId
    note: Text


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
    tldr: Text | None = None
    summary: Text
    findings: tuple[Finding, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    strengths: tuple[Text, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    limitations: tuple[Text, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    properties: dict[VocabId, AnswerField] = Field(default_factory=dict, max_length=MAX_ITEMS)
    results: tuple[Result, ...] = Field(default=(), max_length=MAX_RESULTS)
    relations: tuple[Relation, ...] = Field(default=(), max_length=MAX_ITEMS)
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
