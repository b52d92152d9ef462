"""Stage 3: checks of single records in context, and checks across all records.

Cross-record checks run on `Facts`, the few fields of each record they need with the
positions of those fields, so that `kb validate` can keep facts of unchanged files in its
cache and still check the whole knowledge base without loading every record again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from kb.core.evidence import evidence_problems
from kb.core.fields import ARXIV_NEW
from kb.core.load import Document
from kb.core.problems import Loc, Position, Problem, Severity
from kb.core.records import Paper
from kb.core.taxonomy import Taxonomy, citation_groups
from kb.core.validate import KnowledgeBase, did_you_mean, flow_prose_problems

__all__ = [
    "SUMMARY_WORDS",
    "Facts",
    "check_knowledge_base",
    "cross_record_problems",
    "facts_of",
    "record_problems",
]

SUMMARY_WORDS = (60, 150)


@dataclass(frozen=True)
class Facts:
    """What the cross-record checks need of one record, and where each part of it stands."""

    id: str
    path: str
    year: int
    arxiv: str | None
    doi: str | None
    cites: tuple[str, ...]
    aliases: tuple[str, ...]
    kind: str
    positions: Mapping[Loc, tuple[int, int]]
    relations: tuple[str, ...] = ()

    def problem(
        self,
        loc: Loc,
        code: str,
        message: str,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> Problem:
        line, col = self.positions.get(loc, Position())
        return Problem(code, self.path, message, line, col, hint, severity, loc)

    @cached_property
    def first_public_year(self) -> int:
        """The earlier of the cited version's year and the year of its first arXiv version."""
        match = ARXIV_NEW.match(self.arxiv or "")
        return min(self.year, 2000 + int(match.group(1))) if match else self.year


def facts_of(paper: Paper, doc: Document) -> Facts:
    """The facts of one validated record."""
    locs: list[Loc] = [("arxiv",), ("doi",)]
    locs += [("cites", index) for index in range(len(paper.cites))]
    locs += [("aliases", index) for index in range(len(paper.aliases))]
    locs += [("relations", index, "target") for index in range(len(paper.relations))]
    positions = {loc: doc.position(loc) for loc in locs}
    return Facts(
        paper.id,
        doc.path,
        paper.year,
        paper.arxiv,
        paper.doi,
        paper.cites,
        paper.aliases,
        paper.kind,
        positions,
        tuple(relation.target for relation in paper.relations),
    )


def record_problems(paper: Paper, doc: Document, taxonomy: Taxonomy) -> list[Problem]:
    """Problems of one record that need nothing but the record and the vocabularies."""
    problems = [*flow_prose_problems(doc), *evidence_problems(paper, doc, taxonomy)]
    low, high = SUMMARY_WORDS
    words = len(paper.summary.split())
    if low <= words <= high:
        return problems
    message = f"summary has {words} words; aim for {low} to {high}"
    return [doc.problem(("summary",), "summary-length", message, severity="warning"), *problems]


Records = Mapping[str, Facts]
CrossCheck = Callable[[Records], Iterator[Problem]]


def _duplicate_identifiers(records: Records) -> Iterator[Problem]:
    for field in ("arxiv", "doi"):
        owners: dict[str, list[str]] = defaultdict(list)
        for facts in records.values():
            value = getattr(facts, field)
            if value:
                owners[value.lower()].append(facts.id)
        for value, ids in owners.items():
            for later in ids[1:]:
                yield records[later].problem(
                    (field,),
                    f"duplicate-{field}",
                    f"{field} {value!r} is also the {field} of {ids[0]!r}",
                    f"one paper, one record: merge it into {ids[0]}",
                )


def _aliases(records: Records) -> Iterator[Problem]:
    claimed: dict[str, str] = {}
    for facts in records.values():
        for index, alias in enumerate(facts.aliases):
            other = alias if alias in records else claimed.get(alias)
            if other is not None:
                yield facts.problem(
                    ("aliases", index),
                    "duplicate-id",
                    f"alias {alias!r} is already the id or an alias of {other!r}",
                )
            claimed.setdefault(alias, facts.id)


def resolve_aliases(records: Records) -> dict[str, str]:
    """Old keys (aliases) mapped to the ids of the records that carry them."""
    return {
        alias: facts.id
        for facts in records.values()
        for alias in facts.aliases
        if alias not in records
    }


_NO_RECORD = 1_000_000  # the year of a cited record that does not exist: after every year


def _citations(records: Records) -> Iterator[Problem]:
    """Cites of no record, of the record itself or of a later record; then the research records
    that neither cite nor are cited by another record (a notice).

    Surveys and foundations are exempt from the notice: they are cited from outside the field
    as often as from inside it. The graph's `kb.graph.queries.isolated_records` applies the
    same rule.

    NOTE: one pass over the cites serves both checks (800,000 of them at 100,000 records).
    """
    aliases = resolve_aliases(records)
    year_of = {record_id: facts.year for record_id, facts in records.items()}.get
    linked: set[str] = set()
    for facts in records.values():
        cites = facts.cites
        if not cites:
            continue
        record_id = facts.id
        resolved = [aliases.get(target, target) for target in cites] if aliases else cites
        # NOTE: nearly every record cites only existing, older records (the first public year
        # is never after the year), and is done with here; a missing record counts as later.
        years = [year_of(target, _NO_RECORD) for target in resolved]
        if record_id not in resolved and max(years) <= facts.year:
            linked.update(resolved)
            linked.add(record_id)
            continue
        cited = [records.get(target) for target in resolved]
        yield from _cite_problems(facts, resolved, cited, records, linked)
    if len(records) < 2:
        return
    for facts in records.values():
        if facts.kind == "research" and facts.id not in linked:
            yield facts.problem(
                (),
                "isolated-record",
                "neither cites nor is cited by another record",
                "add the cites edges you can verify in its reference list",
                "notice",
            )


def _cite_problems(
    facts: Facts,
    resolved: Sequence[str],
    cited: list[Facts | None],
    records: Records,
    linked: set[str],
) -> Iterator[Problem]:
    """The problems of one record's cites, one by one; the links it makes go into `linked`."""
    for index, (target, found) in enumerate(zip(facts.cites, cited, strict=True)):
        loc: Loc = ("cites", index)
        if resolved[index] == facts.id:
            yield facts.problem(loc, "self-cite", "a record cannot cite itself")
            continue
        if found is None:
            yield facts.problem(
                loc,
                "missing-cite",
                f"cites {target!r}, which is not a record in papers/",
                did_you_mean(target, records, cutoff=80),
            )
            continue
        linked.update((facts.id, found.id))
        if found.first_public_year > facts.year:
            yield facts.problem(
                loc,
                "later-cite",
                f"cites {target!r}, first public in {found.first_public_year}, "
                f"after this record's {facts.year}",
                "check both years and the cites entry",
                "warning",
            )


def _relation_targets(records: Records) -> Iterator[Problem]:
    """Relations must point at records (an old key, an alias, still finds its record)."""
    aliases = resolve_aliases(records)
    for facts in records.values():
        for index, target in enumerate(facts.relations):
            if aliases.get(target, target) not in records:
                yield facts.problem(
                    ("relations", index, "target"),
                    "unknown-relation-target",
                    f"relation target {target!r} is not a record in papers/",
                    did_you_mean(target, records) or "add that paper's record first",
                )


CROSS_CHECKS: tuple[CrossCheck, ...] = (
    _duplicate_identifiers,
    _aliases,
    _citations,
    _relation_targets,
)


def _record_links(taxonomy: Taxonomy) -> Iterator[tuple[str, str, Loc, str]]:
    """(vocabulary file, entry id, location inside the entry, record id) of every link from a
    vocabulary entry to a record."""
    for method in taxonomy.methods.values():
        if method.introduced_by is not None:
            yield "methods", method.id, ("introduced_by",), method.introduced_by
    for benchmark in taxonomy.benchmarks.values():
        if benchmark.introduced_by is not None:
            yield "benchmarks", benchmark.id, ("introduced_by",), benchmark.introduced_by
    for node in taxonomy.perspectives.values():
        for _, _, ids in citation_groups(node.overview or ""):
            for paper in ids:
                yield "perspectives", node.id, ("overview",), paper
    for text in taxonomy.survey.values():
        for _, _, ids in citation_groups(text.overview):
            for paper in ids:
                yield "survey", text.id, ("overview",), paper
    for screened in taxonomy.screening.values():
        for position, candidate in enumerate(screened.candidates):
            if candidate.record is not None:
                inner: Loc = ("candidates", position, "record")
                yield "screening", screened.id, inner, candidate.record


_LINK_MESSAGES = {
    "candidates": "record {paper!r} is not a record in papers/",
    "overview": "the overview cites {paper!r}, which is not a record in papers/",
}


def _entry_indexes(doc: Document) -> dict[object, int]:
    """Entry id -> its index in the vocabulary file."""
    return {data.get("id"): index for index, data in enumerate(doc.data) if isinstance(data, dict)}


def _vocabulary_links(
    records: Records, taxonomy: Taxonomy, vocabulary_documents: Mapping[str, Document]
) -> Iterator[Problem]:
    aliases = resolve_aliases(records)
    indexes = {name: _entry_indexes(doc) for name, doc in vocabulary_documents.items()}
    for file, entry_id, inner, paper in _record_links(taxonomy):
        doc = vocabulary_documents.get(file)
        if doc is None or aliases.get(paper, paper) in records:
            continue
        position = doc.position((indexes[file].get(entry_id, 0), *inner))
        yield Problem(
            "missing-cite" if file == "methods" else "unknown-record",
            doc.path,
            _LINK_MESSAGES.get(
                str(inner[0]), "{field} {paper!r} is not a record in papers/"
            ).format(field=inner[0], paper=paper),
            *position,
            did_you_mean(paper, records, cutoff=80),
        )
    doc = vocabulary_documents.get("methods")
    if doc is None:
        return
    positions = indexes["methods"]
    for cycle in _extends_cycles(taxonomy):
        position = doc.position((positions.get(cycle[0], 0), "extends"))
        yield Problem(
            "extends-cycle",
            doc.path,
            "method lineage loops through: " + ", ".join(cycle),
            *position,
            "a method cannot extend itself, directly or through others",
        )


def _extends_cycles(taxonomy: Taxonomy) -> Iterator[list[str]]:
    """The methods of each loop in the `extends` relation, sorted, smallest loop first."""
    graph = nx.DiGraph()
    for method in taxonomy.methods.values():
        graph.add_node(method.id)
        graph.add_edges_from((method.id, parent) for parent in method.extends)
    for component in sorted(nx.strongly_connected_components(graph), key=sorted):
        members = sorted(component)
        if len(members) > 1 or graph.has_edge(members[0], members[0]):
            yield members


def cross_record_problems(
    records: Records, taxonomy: Taxonomy, vocabulary_documents: Mapping[str, Document]
) -> list[Problem]:
    """Problems across records: duplicate ids, dangling or backwards citations, lineage loops."""
    problems = [problem for check in CROSS_CHECKS for problem in check(records)]
    return problems + list(_vocabulary_links(records, taxonomy, vocabulary_documents))


def check_knowledge_base(kb: KnowledgeBase) -> list[Problem]:
    """Every problem that needs more than one record's fields, for a fully loaded KB."""
    records = {pid: facts_of(paper, kb.documents[pid]) for pid, paper in kb.papers.items()}
    single = [
        p
        for pid, paper in kb.papers.items()
        for p in record_problems(paper, kb.documents[pid], kb.taxonomy)
    ]
    return single + cross_record_problems(records, kb.taxonomy, kb.vocabulary_documents)
