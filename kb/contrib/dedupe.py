"""`kb dedupe`: records that describe the same paper, found without comparing every pair.

Two records are reported together when they share

- an id (a record's `id` or one of its `aliases` is another record's id or alias);
- an arXiv id (versions and an `arXiv:` prefix ignored) or a DOI (case ignored);
- a near-identical title: normalised (accents, case, punctuation and spacing dropped), then
  compared with rapidfuzz's `fuzz.ratio` (Indel similarity, 0-100); a score of at least
  `TITLE_SCORE` = 92 counts;
- a preprint and its published version: one record's venue is `arxiv` and the other's is not,
  both have the same first-author family name, their years are at most two apart, and their
  titles score at least `PREPRINT_SCORE` = 80 (a retitled published version is still caught).

Tuning, on the real knowledge base (156 records, all different papers): the two most alike
titles of different papers score 87.2 ("Mitigating Hallucinations in Large Vision-Language
Models with Instruction Contrastive Decoding" against "Mitigating Object Hallucinations in Large
Vision-Language Models through Visual Contrastive Decoding"), so 92 leaves a margin above it,
while the variants one paper's versions really show (case, punctuation, hyphenation, a typo, a
dropped word) score about 93-100. Among records with the same first author, different papers score
at most 72.3, so 80 leaves a margin there too.

Scale: titles are never compared all against all: only titles that share a block of a rare
word, or sort next to each other, are scored, once a numpy prefilter has dismissed every pair
that cannot score enough (`kb.contrib.titles` explains why no pair is lost). The preprint rule
compares only preprints with published records of the same first author from at most two years
before or after, through the same prefilter. Records are read by `kb.contrib.heads`, which
parses only the head of each file.

Measured with `benchmarks/generate.py` (100,100 records of about 4 KB, 100 planted near-
duplicates, 108 first authors, so the preprint rule alone has 8.9 million candidate pairs) on
two cores shared with another job: `kb dedupe` 4.8 s and 337 MB at best of three (12.9 s and
345 MB before the head reader and the prefilter), 99 of the 100 planted pairs found (the
other, a dropped word in a five-word title, scores 90.7). Of its 6.3 s of CPU: 0.5 s imports,
0.2 s listing papers/, 3.6 s reading heads in two processes (about 30 us a record, a fifth of
it system calls, and pickling entries from one process to the other), 1.8 s `find_duplicates`
(0.8 s titles, 0.7 s the preprint rule).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from kb.contrib.heads import Entry
from kb.contrib.titles import SLICE, Titles, block_pairs, neighbour_pairs
from kb.core.memory import collector_paused

__all__ = [
    "PREPRINT_SCORE",
    "TITLE_SCORE",
    "Group",
    "Index",
    "Link",
    "Match",
    "Reason",
    "find_duplicates",
]

TITLE_SCORE = 92.0
PREPRINT_SCORE = 80.0
PREPRINT_YEARS = 2

Reason = Literal["id", "arxiv", "doi", "title", "preprint"]
_REASON_ORDER: dict[str, int] = {"id": 0, "arxiv": 1, "doi": 2, "title": 3, "preprint": 4}


@dataclass(frozen=True, order=True)
class Link:
    """Why two records (by index into the entries) are taken for one paper."""

    first: int
    second: int
    reason: Reason
    detail: str

    def describe(self, entries: Sequence[Entry]) -> str:
        """One line for people: ``same arXiv id 2304.08485: a, b``."""
        pair = f"{entries[self.first].id}, {entries[self.second].id}"
        label = {
            "id": "same id",
            "arxiv": "same arXiv id",
            "doi": "same DOI",
            "title": "near-identical titles, score",
            "preprint": "preprint and published version (same first author), title score",
        }[self.reason]
        return f"{label} {self.detail}: {pair}"


@dataclass(frozen=True)
class Group:
    """Records that look like one paper, ordered by path, with every link found between them."""

    entries: tuple[Entry, ...]
    links: tuple[str, ...]


@dataclass
class _UnionFind:
    parent: list[int]

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _shared_keys(entries: Sequence[Entry]) -> Iterator[Link]:
    """Links from each record to the first one with the same id or alias, arXiv id or DOI."""
    ids: dict[str, int] = {}
    arxivs: dict[str, int] = {}
    dois: dict[str, int] = {}
    for index, entry in enumerate(entries):
        for name in {entry.id, *entry.aliases} if entry.aliases else (entry.id,):
            first = ids.setdefault(name, index)
            if first != index:
                yield Link(first, index, "id", name)
        if entry.arxiv:
            key = entry.arxiv.lower()
            first = arxivs.setdefault(key, index)
            if first != index:
                yield Link(first, index, "arxiv", key)
        if entry.doi:
            first = dois.setdefault(entry.doi, index)
            if first != index:
                yield Link(first, index, "doi", entry.doi)


def _title_scores(titles: Titles) -> dict[tuple[int, int], float]:
    """Pairs of titles (positions, first < second) that share a block or are neighbours and
    score at least `TITLE_SCORE`, with their score."""
    text = titles.text
    split = [title.split() for title in text]
    scores: dict[tuple[int, int], float] = {}
    for first, second in chain(block_pairs(split), neighbour_pairs(text, split)):
        kept = titles.may_score(first, second, TITLE_SCORE)
        for a, b in zip(first[kept].tolist(), second[kept].tolist(), strict=True):
            pair = (a, b) if a < b else (b, a)
            if pair not in scores:
                scores[pair] = fuzz.ratio(text[a], text[b], score_cutoff=TITLE_SCORE)
    return {pair: score for pair, score in scores.items() if score}


def _similar_titles(same: Mapping[str, list[int]], titles: Titles) -> Iterator[Link]:
    for owners in same.values():
        for other in owners[1:]:
            yield Link(owners[0], other, "title", "100")
    representative = [owners[0] for owners in same.values()]
    for (first, second), score in _title_scores(titles).items():
        a, b = sorted((representative[first], representative[second]))
        yield Link(a, b, "title", f"{score:.1f}")


def _preprint_pairs(
    entries: Sequence[Entry], same: Mapping[str, list[int]], titles: Titles
) -> Iterator[Link]:
    # NOTE: blocked by first author, then by year: a preprint of year y meets only the published
    # records of years y-2..y+2 (records without a year meet every year).
    sides: dict[tuple[str, int | None], tuple[list[int], list[int]]] = {}
    for index, entry in enumerate(entries):
        if entry.first_author and entry.title and entry.venue:
            key = (entry.first_author, entry.year)
            found = sides.get(key)
            if found is None:
                found = sides[key] = ([], [])
            found[entry.venue != "arxiv"].append(index)
    years: dict[str, list[int | None]] = defaultdict(list)
    for author, year in sides:
        years[author].append(year)
    position = dict(zip(same, range(len(same)), strict=True))
    title_of = [position.get(entry.title, -1) for entry in entries]
    for (author, year), (preprints, _) in sides.items():
        if not preprints:
            continue
        published = [
            index
            for other in years[author]
            if year is None or other is None or abs(other - year) <= PREPRINT_YEARS
            for index in sides[author, other][1]
        ]
        yield from _preprint_block(titles, title_of, preprints, published)


def _preprint_block(
    titles: Titles, title_of: list[int], preprints: list[int], published: list[int]
) -> Iterator[Link]:
    """Links between `preprints` and `published` records (indices) whose titles score at least
    `PREPRINT_SCORE`, a slice of preprints at a time (its cells bound the filter's memory)."""
    if not published:
        return
    columns = np.array([title_of[i] for i in published], dtype=np.int64)
    choices = [titles.text[i] for i in columns.tolist()]
    step = max(1, SLICE // len(published))
    for start in range(0, len(preprints), step):
        chunk = preprints[start : start + step]
        rows = np.array([title_of[i] for i in chunk], dtype=np.int64)
        cell_rows, cell_columns = titles.may_score_cells(rows, columns, PREPRINT_SCORE)
        ends = np.searchsorted(cell_rows, np.arange(1, len(chunk) + 1)).tolist()
        cells = cell_columns.tolist()
        for early, begin, end in zip(chunk, [0, *ends], ends, strict=False):
            if end > begin:
                query = titles.text[title_of[early]]
                for column, score in _best(query, choices, cells[begin:end]):
                    late = published[column]
                    yield Link(min(early, late), max(early, late), "preprint", f"{score:.1f}")


def _best(query: str, choices: list[str], candidates: list[int]) -> list[tuple[int, float]]:
    """The candidates (positions in `choices`) whose titles score at least `PREPRINT_SCORE`
    against `query`, with their score: one `process.extract` call, which prepares `query` once
    for all of them."""
    found = process.extract(
        query,
        [choices[i] for i in candidates],
        scorer=fuzz.ratio,
        score_cutoff=PREPRINT_SCORE,
        limit=None,
    )
    return [(candidates[at], score) for _, score, at in found]


def _years_close(first: Entry, second: Entry) -> bool:
    if first.year is None or second.year is None:
        return True
    return abs(first.year - second.year) <= PREPRINT_YEARS


@collector_paused()
def find_duplicates(entries: Sequence[Entry]) -> list[Group]:
    """Groups of records that look like one paper, ordered by their first path.

    Cost grows with the number of records times the block sizes, not with its square; see the
    module docstring for a measurement on 100,000 records. The cyclic garbage collector is
    paused: its passes over the entries were a fifth of the time, and nothing here is cyclic.
    """
    items = sorted(entries, key=attrgetter("path"))
    same: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(items):
        if entry.title:
            same[entry.title].append(index)
    titles = Titles.of(list(same))
    # NOTE: one link per pair, the strongest evidence: an exact key beats a title score.
    strongest: dict[tuple[int, int], Link] = {}
    found = [
        *_shared_keys(items),
        *_similar_titles(same, titles),
        *_preprint_pairs(items, same, titles),
    ]
    for link in sorted(found, key=lambda link: (_REASON_ORDER[link.reason], link)):
        pair = (min(link.first, link.second), max(link.first, link.second))
        strongest.setdefault(pair, link)
    union = _UnionFind(list(range(len(items))))
    for first, second in strongest:
        union.union(first, second)
    # NOTE: only records in some link can share a group; the rest need no look-up.
    members: dict[int, list[int]] = defaultdict(list)
    for index in sorted({index for pair in strongest for index in pair}):
        members[union.find(index)].append(index)
    inside: dict[int, list[Link]] = defaultdict(list)
    for pair, link in sorted(strongest.items()):
        inside[union.find(pair[0])].append(link)
    return [
        Group(
            tuple(items[i] for i in indices),
            tuple(link.describe(items) for link in inside[root]),
        )
        for root, indices in sorted(members.items())
        if len(indices) > 1
    ]


@dataclass
class Index:
    """Existing records, looked up by arXiv id, DOI or title: `kb add` asks it before writing.

    Entries added later (records created earlier in the same import) are found too.
    """

    entries: list[Entry] = field(default_factory=list)
    _arxiv: dict[str, int] = field(default_factory=dict)
    _doi: dict[str, int] = field(default_factory=dict)
    _titles: list[str] = field(default_factory=list)
    _authors: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Index:
        """An index holding `entries`."""
        index = cls()
        for entry in entries:
            index.add(entry)
        return index

    def add(self, entry: Entry) -> None:
        """Make `entry` findable (the first record with a given arXiv id or DOI wins)."""
        self.entries.append(entry)
        self._titles.append(entry.title)
        self._keys(len(self.entries) - 1, entry)

    def update(self, entry: Entry) -> None:
        """Replace the entry with `entry.id` after a merge changed its identifiers or venue."""
        for position, old in enumerate(self.entries):
            if old.id == entry.id:
                self.entries[position] = entry
                self._titles[position] = entry.title
                self._keys(position, entry)
                return
        self.add(entry)

    def _keys(self, position: int, entry: Entry) -> None:
        if entry.arxiv:
            self._arxiv.setdefault(entry.arxiv.lower(), position)
        if entry.doi:
            self._doi.setdefault(entry.doi, position)
        if entry.first_author and position not in self._authors[entry.first_author]:
            self._authors[entry.first_author].append(position)

    def match(self, entry: Entry) -> Match | None:
        """The record `entry` duplicates and why, or None."""
        if entry.arxiv and entry.arxiv.lower() in self._arxiv:
            return Match(self.entries[self._arxiv[entry.arxiv.lower()]], "arxiv", entry.arxiv)
        if entry.doi and entry.doi in self._doi:
            return Match(self.entries[self._doi[entry.doi]], "doi", entry.doi)
        if not entry.title:
            return None
        found = process.extractOne(
            entry.title, self._titles, scorer=fuzz.ratio, score_cutoff=TITLE_SCORE
        )
        if found is not None:
            return Match(self.entries[found[2]], "title", f"{found[1]:.1f}")
        return self._preprint_match(entry)

    def _preprint_match(self, entry: Entry) -> Match | None:
        if not entry.venue:
            return None
        best: tuple[float, int] | None = None
        for position in self._authors.get(entry.first_author, []):
            other = self.entries[position]
            if not other.venue or other.preprint == entry.preprint:
                continue
            if not _years_close(entry, other):
                continue
            score = fuzz.ratio(entry.title, other.title, score_cutoff=PREPRINT_SCORE)
            if score and (best is None or score > best[0]):
                best = (score, position)
        if best is None:
            return None
        return Match(self.entries[best[1]], "preprint", f"{best[0]:.1f}")


@dataclass(frozen=True)
class Match:
    """The existing record an incoming entry duplicates, and the evidence."""

    entry: Entry
    reason: Reason
    detail: str

    def describe(self) -> str:
        """``same arXiv id 2304.08485`` and the like."""
        return {
            "id": f"same id {self.detail}",
            "arxiv": f"same arXiv id {self.detail}",
            "doi": f"same DOI {self.detail}",
            "title": f"near-identical title, score {self.detail}",
            "preprint": f"same first author and a similar title, score {self.detail}",
        }[self.reason]
