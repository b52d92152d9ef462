"""The controlled vocabularies in `taxonomy/`: perspectives, methods, modalities, models, venues,
trade-off properties and benchmarks; and the screening log of candidate works."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from kb.core.fields import ArxivId, RecordId, Text, Url, VocabId, Year

__all__ = [
    "EXCLUSION_REASONS",
    "OPTIONAL_VOCABULARIES",
    "VOCABULARY_FILES",
    "Benchmark",
    "Candidate",
    "Method",
    "MethodProperties",
    "Metric",
    "Modality",
    "Model",
    "Perspective",
    "Property",
    "ScreenedList",
    "SurveyText",
    "Taxonomy",
    "Venue",
    "VenueKind",
    "citation_groups",
]

# A pandoc-style citation in curated prose: [@id] or [@a; @b].
CITATION = re.compile(r"\[(@[a-z0-9]+(?:\s*;\s*@[a-z0-9]+)*)\]")


def citation_groups(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, record ids) of each `[@a; @b]` citation in `text`, in order."""
    return [
        (m.start(), m.end(), tuple(part.strip().lstrip("@") for part in m.group(1).split(";")))
        for m in CITATION.finditer(text)
    ]


Access = Literal["black-box", "grey-box", "white-box"]
Scope = Literal["local", "global"]
Stage = Literal["post-hoc", "intrinsic", "inference-time", "training-time"]
Granularity = Literal["input", "token", "embedding", "neuron", "layer", "circuit", "model"]
VenueKind = Literal["conference", "journal", "workshop", "preprint", "online"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: VocabId
    name: Text


class Perspective(_Entry):
    """A node of the perspective tree; nodes without children are the leaves papers go in.

    `overview` is the curators' synthesis of the node's work in their own words, with
    citations of records written `[@id]` or `[@a; @b]`; the survey opens the node with it.
    """

    description: Text
    parent: VocabId | None = None
    overview: Text | None = None


class MethodProperties(BaseModel):
    """Structured properties that make methods comparable side by side."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    access: Access
    scope: Scope
    stage: Stage
    granularity: Granularity


class Method(_Entry):
    """A family of explanation or mitigation methods."""

    description: Text
    properties: MethodProperties
    extends: tuple[VocabId, ...] = ()
    strengths: tuple[Text, ...] = Field(min_length=1)
    limitations: tuple[Text, ...] = Field(min_length=1)
    introduced_by: RecordId | None = None


class Modality(_Entry):
    """An input or output modality."""

    description: Text


class Model(_Entry):
    """A multimodal model studied by records; parts only where a source was checked."""

    organisation: Text | None = None
    year: Year | None = None
    vision_encoder: Text | None = None
    connector: Text | None = None
    language_model: Text | None = None
    url: Url | None = None
    sources: tuple[Url, ...] = ()


class Property(_Entry):
    """A trade-off question readers compare methods on, answered per record.

    Without `answers` the answer is yes, no or partial (YAML `true`, `false`, `partial`); with
    them it is one of those classes (e.g. a compute cost: low, medium, high). `when_yes` and
    `when_no` complete a sentence whose subject is the records answering so, in a form that
    fits one record or several ("... can be applied without training anything"), and
    `open_problem` names the answer that is a shortcoming, which the survey's open problems
    count.
    """

    question: Text
    description: Text
    answers: tuple[VocabId, ...] = ()
    when_yes: Text | None = None
    when_no: Text | None = None
    open_problem: bool | None = None


class Metric(BaseModel):
    """A number a benchmark reports; `direction` says which way is better."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: VocabId
    name: Text
    direction: Literal["higher", "lower"]
    min: float | None = None
    max: float | None = None


class Benchmark(_Entry):
    """A benchmark that located results refer to, with the metrics it defines."""

    description: Text
    url: Url | None = None
    introduced_by: RecordId | None = None
    metrics: tuple[Metric, ...] = Field(min_length=1)

    def metric(self, metric_id: str) -> Metric | None:
        """The metric `metric_id` of this benchmark, if it defines one."""
        return next((m for m in self.metrics if m.id == metric_id), None)


ExclusionReason = Literal[
    "out-of-scope",
    "not-multimodal",
    "no-verifiable-source",
    "duplicate",
    "superseded",
    "not-a-paper",
]
EXCLUSION_REASONS: tuple[str, ...] = get_args(ExclusionReason)
Decision = Literal["included", "excluded", "deferred"]


class Candidate(BaseModel):
    """A work screened for the knowledge base: included as a record, excluded with a reason,
    or deferred to a later round (PRISMA's identified, screened, included)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    title: Text
    arxiv: ArxivId | None = None
    decision: Decision
    record: RecordId | None = None
    reason: ExclusionReason | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _decision_has_what_it_needs(self) -> Candidate:
        if self.decision == "included" and self.record is None:
            raise PydanticCustomError("missing-record", "an included work names its record")
        if self.decision != "excluded" and self.reason is not None:
            raise PydanticCustomError(
                "stray-reason",
                "only an excluded work has a reason; {decision} works do not",
                {"decision": self.decision},
            )
        if self.decision == "excluded" and self.reason is None:
            raise PydanticCustomError(
                "missing-reason",
                "an excluded work needs a reason: {reasons}",
                {"reasons": ", ".join(EXCLUSION_REASONS)},
            )
        if self.reason in ("duplicate", "superseded") and self.record is None:
            raise PydanticCustomError(
                "missing-record",
                "a {reason} work names the record it duplicates",
                {"reason": self.reason},
            )
        if self.decision != "included" and self.note is None:
            raise PydanticCustomError("missing-note", "say in a note why, in one line")
        return self


class ScreenedList(_Entry):
    """A source of candidate works (a curated list, a reading list, a search) and what became
    of each work it named."""

    url: Url | None = None
    description: Text | None = None
    candidates: tuple[Candidate, ...] = ()


class SurveyText(_Entry):
    """A generated survey's own text: `name` is its title and `overview` opens it, written by
    curators with `[@id]` citations of records."""

    overview: Text


class Venue(_Entry):
    """A publication venue; `full` is what BibTeX puts in booktitle or journal."""

    full: Text
    kind: VenueKind


# NOTE: the order is the order of loading and of reporting; perspectives first as records
# depend most on them.
VOCABULARY_FILES: dict[str, type[_Entry]] = {
    "perspectives": Perspective,
    "methods": Method,
    "modalities": Modality,
    "models": Model,
    "venues": Venue,
    "properties": Property,
    "benchmarks": Benchmark,
    "screening": ScreenedList,
    "survey": SurveyText,
}

# NOTE: vocabularies that came after the first release: a knowledge base without the file has
# none of them yet, which is not an error.
OPTIONAL_VOCABULARIES = frozenset({"properties", "benchmarks", "screening", "survey"})


@dataclass(frozen=True)
class Taxonomy:
    """All vocabularies, each a mapping from id to entry in file order."""

    perspectives: dict[str, Perspective]
    methods: dict[str, Method]
    modalities: dict[str, Modality]
    models: dict[str, Model]
    venues: dict[str, Venue]
    properties: dict[str, Property]
    benchmarks: dict[str, Benchmark]
    screening: dict[str, ScreenedList]
    survey: dict[str, SurveyText]

    @property
    def leaves(self) -> list[str]:
        """Perspective ids with no children: the only ones a paper may name."""
        parents = {node.parent for node in self.perspectives.values()}
        return [pid for pid in self.perspectives if pid not in parents]

    def children(self, parent: str | None) -> list[str]:
        """Ids of the direct children of `parent` (None: the top level), in file order."""
        return [pid for pid, node in self.perspectives.items() if node.parent == parent]

    def leaves_under(self, node: str) -> list[str]:
        """The leaves at or below `node`."""
        return [leaf for leaf in self.leaves if leaf == node or leaf.startswith(node + ".")]

    def perspective_of(self, leaf: str) -> str:
        """The top-level perspective a node belongs to."""
        node = self.perspectives[leaf]
        while node.parent is not None:
            node = self.perspectives[node.parent]
        return node.id
