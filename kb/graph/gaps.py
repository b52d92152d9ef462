"""Where the research is and is not: papers per year per leaf, and the thin cells of the field.

A gap matrix crosses the taxonomy leaves with one other axis: the modalities studied, or one
structured property of the methods used (access, scope, stage, granularity). A record counts
once in every cell it covers: in each of its leaves, for each modality it lists or property
value one of its methods has. The thinnest cells are those with the fewest records, and among
equally thin cells the most surprising first: the ones whose leaf and column are busiest, that
is, whose count under independence (row total x column total / grand total) is highest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import get_args

from kb.core.taxonomy import MethodProperties
from kb.core.validate import KnowledgeBase

__all__ = ["AXES", "Gap", "GapMatrix", "Gaps", "gaps", "in_sentence", "timeline"]

AXES = ("modality", "access", "scope", "stage", "granularity")


@dataclass(frozen=True)
class Gap:
    """One cell of a gap matrix: how many records cover it and how many independence predicts."""

    axis: str
    leaf: str
    column: str
    count: int
    expected: float
    text: str


@dataclass(frozen=True)
class GapMatrix:
    """Records per leaf (rows, taxonomy order) and column (vocabulary or property order)."""

    axis: str
    columns: tuple[str, ...]
    counts: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Gaps:
    """A matrix per axis (see AXES) and the thinnest cells over all of them, thinnest first."""

    matrices: dict[str, GapMatrix]
    thinnest: tuple[Gap, ...]


def timeline(kb: KnowledgeBase) -> dict[str, dict[int, int]]:
    """Records per year for each leaf (by primary leaf, so a year's counts sum to its records).

    Every leaf appears, in taxonomy order, with every year from the knowledge base's first to
    its last (zeros included), so charts need no filling in.
    """
    years = [paper.year for paper in kb.papers.values()]
    span = range(min(years), max(years) + 1) if years else range(0)
    counts = Counter((paper.leaf, paper.year) for paper in kb.papers.values())
    return {leaf: {year: counts[leaf, year] for year in span} for leaf in kb.taxonomy.leaves}


def _columns(kb: KnowledgeBase, axis: str) -> tuple[str, ...]:
    if axis == "modality":
        return tuple(kb.taxonomy.modalities)
    return tuple(get_args(MethodProperties.model_fields[axis].annotation))


def _matrices(kb: KnowledgeBase) -> dict[str, GapMatrix]:
    """A matrix per axis. A record covers its modalities and the property values of its
    methods: those it lists and those taxonomy/methods.yaml says it introduced.

    Records with the same leaves, modalities and methods are counted together, so the work
    grows with the number of distinct combinations, not of records.
    """
    taxonomy = kb.taxonomy
    introduced: dict[str, tuple[str, ...]] = {}
    for method in taxonomy.methods.values():
        if method.introduced_by is not None:
            introduced[method.introduced_by] = (
                *introduced.get(method.introduced_by, ()),
                method.id,
            )
    combinations = Counter(
        (paper.taxonomy, paper.modalities, paper.methods + introduced.get(paper.id, ()))
        for paper in kb.papers.values()
    )
    columns = {axis: _columns(kb, axis) for axis in AXES}
    counts = {
        axis: {leaf: dict.fromkeys(columns[axis], 0) for leaf in taxonomy.leaves} for axis in AXES
    }
    for (leaves, modalities, methods), records in combinations.items():
        properties = [taxonomy.methods[m].properties for m in methods if m in taxonomy.methods]
        for axis in AXES:
            covered = (
                set(modalities)
                if axis == "modality"
                else {str(getattr(found, axis)) for found in properties}
            )
            for leaf in leaves:
                row = counts[axis].get(leaf)
                for column in covered:
                    if row is not None and column in row:
                        row[column] += records
    return {axis: GapMatrix(axis, columns[axis], counts[axis]) for axis in AXES}


def in_sentence(name: str) -> str:
    """A vocabulary name inside a sentence: "Logit lens" -> "logit lens"; "Grad-CAM", "3D" kept.

    Only a first word that is capitalised and otherwise lowercase is lowered, so acronyms and
    mixed-case names survive.
    """
    first, _, rest = name.partition(" ")
    if first[:1].isupper() and first[1:] == first[1:].lower():
        first = first[:1].lower() + first[1:]
    return f"{first} {rest}" if rest else first


def _sentence(kb: KnowledgeBase, axis: str, leaf: str, column: str, count: int) -> str:
    """E.g. "no work in neuron level studies audio", "only 1 work in layer level uses global
    methods"."""
    who = "no work" if count == 0 else f"only {count} work{'' if count == 1 else 's'}"
    where = in_sentence(kb.taxonomy.perspectives[leaf].name)
    if axis == "modality":
        what = f"studies {in_sentence(kb.taxonomy.modalities[column].name)}"
    elif axis == "granularity":
        what = f"uses {column}-level methods"
    else:
        what = f"uses {column} methods"
    return f"{who} in {where} {what}"


def gaps(kb: KnowledgeBase, limit: int = 10) -> Gaps:
    """The leaf x modality and leaf x method-property matrices, and the `limit` thinnest cells.

    Only cells whose leaf and column each have some record are candidates: an empty leaf or an
    unused modality is a gap of its own that the counts per leaf and modality already show.
    Order: fewest records, then highest expected count, then axis, leaf and column order.
    """
    matrices = _matrices(kb)
    leaf_order = {leaf: i for i, leaf in enumerate(kb.taxonomy.leaves)}
    cells: list[tuple[tuple[int, Fraction, int, int, int], Gap]] = []
    for axis_index, axis in enumerate(AXES):
        matrix = matrices[axis]
        rows = {leaf: sum(cols.values()) for leaf, cols in matrix.counts.items()}
        columns = {c: sum(cols[c] for cols in matrix.counts.values()) for c in matrix.columns}
        total = sum(rows.values())
        for leaf, cols in matrix.counts.items():
            for column_index, column in enumerate(matrix.columns):
                if not rows[leaf] or not columns[column]:
                    continue
                expected = Fraction(rows[leaf] * columns[column], total)
                count = cols[column]
                gap = Gap(
                    axis,
                    leaf,
                    column,
                    count,
                    float(expected),
                    _sentence(kb, axis, leaf, column, count),
                )
                key = (count, -expected, axis_index, leaf_order[leaf], column_index)
                cells.append((key, gap))
    cells.sort(key=lambda cell: cell[0])
    return Gaps(matrices, tuple(gap for _, gap in cells[: max(limit, 0)]))
