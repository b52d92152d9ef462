"""Located results compared across records: leaderboards per benchmark and metric, the
headline result of a record, and changes over a record's own baseline.

Numbers stay as the papers print them: a change is computed in decimal arithmetic from the
printed digits, so 85.3 - 80.1 is 5.2, never 5.199999999999989.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kb.core.records import Paper, Result
from kb.core.taxonomy import Metric, Taxonomy
from kb.core.validate import KnowledgeBase

__all__ = [
    "Board",
    "Entry",
    "boards_of",
    "change",
    "gain",
    "headline_result",
    "leaderboards",
    "number_text",
]


def number_text(value: float) -> str:
    """A number as the paper printed it: 80 stays 80, 85.25 stays 85.25."""
    if isinstance(value, int):
        return str(value)
    return repr(value) if not value.is_integer() else str(int(value)) + ".0"


def change(result: Result) -> Decimal | None:
    """`value - baseline` from the printed digits; None without a baseline."""
    if result.baseline is None:
        return None
    return Decimal(number_text(result.value)) - Decimal(number_text(result.baseline))


def gain(result: Result, metric: Metric) -> Decimal | None:
    """The change over the baseline in the metric's better direction (positive is better)."""
    delta = change(result)
    if delta is None:
        return None
    return delta if metric.direction == "higher" else -delta


@dataclass(frozen=True)
class Entry:
    """One row of a leaderboard: a record's result with where it was found."""

    paper: str
    year: int
    result: Result

    @property
    def change(self) -> Decimal | None:
        return change(self.result)


@dataclass(frozen=True)
class Board:
    """The located results of one metric of one benchmark, best first."""

    benchmark: str
    metric: Metric
    entries: tuple[Entry, ...]

    @property
    def papers(self) -> int:
        return len({entry.paper for entry in self.entries})


def _rank_key(entry: Entry, metric: Metric) -> tuple[Decimal, str, str, str]:
    value = Decimal(number_text(entry.result.value))
    better_first = -value if metric.direction == "higher" else value
    return (better_first, entry.paper, entry.result.model, entry.result.setting or "")


def leaderboards(kb: KnowledgeBase) -> dict[str, list[Board]]:
    """Benchmark id -> one board per metric that has results, in the vocabulary's order.

    Results naming an unknown benchmark or metric (errors of `kb validate`) are left out, as
    the graph leaves out broken links. Ties keep a fixed order: paper id, model, setting.
    """
    return boards_of(kb.papers.values(), kb.taxonomy)


def boards_of(papers: Iterable[Paper], taxonomy: Taxonomy) -> dict[str, list[Board]]:
    """`leaderboards` over some records only (a category's, for the survey)."""
    rows: dict[tuple[str, str], list[Entry]] = {}
    for paper in papers:
        for result in paper.results:
            rows.setdefault((result.benchmark, result.metric), []).append(
                Entry(paper.id, paper.year, result)
            )
    boards: dict[str, list[Board]] = {}
    for benchmark in taxonomy.benchmarks.values():
        for metric in benchmark.metrics:
            entries = rows.get((benchmark.id, metric.id))
            if entries:
                entries.sort(key=lambda entry, m=metric: _rank_key(entry, m))  # type: ignore[misc]
                boards.setdefault(benchmark.id, []).append(
                    Board(benchmark.id, metric, tuple(entries))
                )
    return boards


def headline_result(paper: Paper, taxonomy: Taxonomy) -> Result | None:
    """The record's result with the largest relative gain over its own baseline; without any
    baseline, the first result the record lists (curators list the main one first)."""
    best: tuple[Decimal, int] | None = None
    chosen: Result | None = None
    for position, result in enumerate(paper.results):
        benchmark = taxonomy.benchmarks.get(result.benchmark)
        metric = benchmark.metric(result.metric) if benchmark else None
        if metric is None:
            continue
        improvement = gain(result, metric)
        if improvement is None or result.baseline in (None, 0):
            continue
        relative = improvement / abs(Decimal(number_text(result.baseline or 0)))
        if best is None or (relative, -position) > best:
            best, chosen = (relative, -position), result
    if chosen is not None:
        return chosen
    known = [r for r in paper.results if r.benchmark in taxonomy.benchmarks]
    return known[0] if known else None
