"""Checks of a record's comparable evidence against the vocabularies: tldr, properties, results.

Pydantic checks the shapes; these checks need the vocabularies (which properties exist, which
metrics a benchmark defines and on what scale) and the record as a whole, and each problem
points at the value it is about, with a hint where one helps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb.core.load import Document
from kb.core.problems import Loc, Problem
from kb.core.records import Paper, Result
from kb.core.taxonomy import Benchmark, Property, Taxonomy
from kb.core.validate import did_you_mean

__all__ = ["TLDR_OPENERS", "TLDR_WORDS", "YES_NO_PARTIAL", "evidence_problems"]

TLDR_WORDS = 35
# A tldr stands alone: it never leans on a sentence before it.
TLDR_OPENERS = ("it", "they", "this", "these", "we", "the paper", "the authors", "the work")
YES_NO_PARTIAL = "true, false or partial"
_OPENER = re.compile(rf"^(?:{'|'.join(TLDR_OPENERS)})\b", re.IGNORECASE)
# A full stop, question or exclamation mark followed by a capital: a second sentence.
_SENTENCE_BREAK = re.compile(r"(?<!\b[A-Z])(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bal)[.!?] +[A-Z]")


def evidence_problems(paper: Paper, doc: Document, taxonomy: Taxonomy) -> list[Problem]:
    """Every problem of `paper`'s tldr, properties, results and relations on its own."""
    return [
        *_tldr(paper, doc),
        *_properties(paper, doc, taxonomy),
        *(
            problem
            for index, result in enumerate(paper.results)
            for problem in _result(result, ("results", index), doc, taxonomy)
        ),
        *_relations(paper, doc),
    ]


def _tldr(paper: Paper, doc: Document) -> Iterator[Problem]:
    tldr = paper.tldr
    if tldr is None:
        return
    opener = _OPENER.match(tldr)
    if opener:
        yield doc.problem(
            ("tldr",),
            "tldr-opener",
            f"tldr opens with {opener.group()!r}, so it leans on a sentence before it",
            "name the method or the finding first, e.g. 'Logit-lens decoding of image tokens "
            "shows ...'",
        )
    words = len(tldr.split())
    if words > TLDR_WORDS:
        yield doc.problem(
            ("tldr",),
            "tldr-length",
            f"tldr has {words} words; keep it to {TLDR_WORDS} at most",
            "say what the paper does and what it finds; the summary holds the rest",
            severity="warning",
        )
    if _SENTENCE_BREAK.search(tldr.rstrip(".!?")):
        yield doc.problem(
            ("tldr",),
            "tldr-sentences",
            "tldr has more than one sentence",
            "join them into one sentence, or move the second into the summary",
            severity="warning",
        )


def _properties(paper: Paper, doc: Document, taxonomy: Taxonomy) -> Iterator[Problem]:
    for property_id, answer in paper.properties.items():
        loc: Loc = ("properties", property_id)
        question = taxonomy.properties.get(property_id)
        if question is None:
            yield doc.problem(
                loc,
                "unknown-property",
                f"{property_id!r} is not in taxonomy/properties.yaml",
                did_you_mean(property_id, taxonomy.properties),
                at_key=True,
            )
        elif not _allowed(question, answer.value):
            expected = ", ".join(question.answers) if question.answers else YES_NO_PARTIAL
            yield doc.problem(
                loc,
                "bad-answer",
                f"{property_id}: {answer.value!r} is not an answer to "
                f"{question.question!r} (one of {expected})",
                did_you_mean(answer.value, question.answers) if question.answers else None,
            )


def _allowed(question: Property, value: bool | str) -> bool:
    if question.answers:
        return isinstance(value, str) and value in question.answers
    return isinstance(value, bool) or value == "partial"


def _result(result: Result, loc: Loc, doc: Document, taxonomy: Taxonomy) -> Iterator[Problem]:
    if result.model not in taxonomy.models:
        yield doc.problem(
            (*loc, "model"),
            "unknown-model",
            f"{result.model!r} is not in taxonomy/models.yaml",
            did_you_mean(result.model, taxonomy.models) or "add the model to taxonomy/models.yaml",
        )
    benchmark = taxonomy.benchmarks.get(result.benchmark)
    if benchmark is None:
        yield doc.problem(
            (*loc, "benchmark"),
            "unknown-benchmark",
            f"{result.benchmark!r} is not in taxonomy/benchmarks.yaml",
            did_you_mean(result.benchmark, taxonomy.benchmarks)
            or "add the benchmark, with its metrics, to taxonomy/benchmarks.yaml",
        )
    else:
        yield from _metric_value(result, loc, doc, benchmark)


def _metric_value(
    result: Result, loc: Loc, doc: Document, benchmark: Benchmark
) -> Iterator[Problem]:
    metric = benchmark.metric(result.metric)
    if metric is None:
        names = ", ".join(m.id for m in benchmark.metrics)
        yield doc.problem(
            (*loc, "metric"),
            "unknown-metric",
            f"{benchmark.name} defines no metric {result.metric!r}",
            did_you_mean(result.metric, [m.id for m in benchmark.metrics])
            or f"its metrics are: {names}",
        )
        return
    low = metric.min if metric.min is not None else float("-inf")
    high = metric.max if metric.max is not None else float("inf")
    for field in ("value", "baseline"):
        number = getattr(result, field)
        if number is not None and not low <= number <= high:
            yield doc.problem(
                (*loc, field),
                "value-out-of-range",
                f"{field} {number} is outside {benchmark.name} {metric.name}'s range "
                f"{_bound(metric.min)}..{_bound(metric.max)}",
                "check the table: a fraction where the scale is a percentage, or a typo?",
            )


def _bound(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else str(value)


def _relations(paper: Paper, doc: Document) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for index, relation in enumerate(paper.relations):
        loc: Loc = ("relations", index)
        if relation.target == paper.id:
            yield doc.problem(
                (*loc, "target"),
                "self-relation",
                f"relation {relation.type!r} points at the record itself",
                "name the other record",
            )
        key = (relation.type, relation.target)
        if key in seen:
            yield doc.problem(
                loc,
                "duplicate-relation",
                f"{relation.type} {relation.target} is listed twice",
                "keep one and merge the notes",
            )
        seen.add(key)
