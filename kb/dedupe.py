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

Scale: titles are never compared all against all. Each title is put in the blocks of its three
rarest words (prefix filtering: the words are ordered by how few titles use them) and only titles
sharing a block are scored, with `rapidfuzz.process.cdist` for larger blocks. Two titles that
differ in at most two words on each side share a block, since the rarest word they have in
common is among the three rarest of both. Words used by more than `BLOCK_LIMIT` titles make no
block (it would cost the square of its size); titles are also scored against their `WINDOW`
neighbours in two sort orders (as written, and by sorted words), which catches near-identical
titles made only of common words. The preprint rule compares only preprints with published
records of the same first author from at most two years before or after.

Measured on 100,200 synthetic entries (titles of 4-16 words from a Zipf-distributed vocabulary
of 30,000 words, first authors from 5,000 names with the commonest at 4%, 40% preprints, 200
planted one-word typos): 4.5-7.5 s and 280 MB on two shared cores, all 200 found. `kb dedupe`
reads only the head of each file (`record_head`, `entry_from_text`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, takewhile
from pathlib import PurePosixPath
from typing import Any, Literal

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from kb.fields import ARXIV_NEW, ARXIV_OLD
from kb.ids import ascii_fold, family_name
from kb.load import Document

__all__ = [
    "BLOCK_LIMIT",
    "HEAD_FIELDS",
    "PREFIX_WORDS",
    "PREPRINT_SCORE",
    "TITLE_SCORE",
    "WINDOW",
    "Entry",
    "Group",
    "Index",
    "Link",
    "Match",
    "Reason",
    "entry_from_data",
    "entry_from_document",
    "entry_from_text",
    "find_duplicates",
    "normalise_arxiv",
    "normalise_doi",
    "normalise_title",
    "record_head",
]

TITLE_SCORE = 92.0
PREPRINT_SCORE = 80.0
PREFIX_WORDS = 3
HEAD_FIELDS = frozenset({"id", "title", "authors", "year", "venue", "arxiv", "doi", "aliases"})
BLOCK_LIMIT = 500
WINDOW = 8
PREPRINT_YEARS = 2
# NOTE: blocks up to this size are scored pair by pair; larger ones with cdist, in row chunks so
# that memory stays bounded (chunk x block cells of one byte each).
_SMALL_BLOCK = 24
_CHUNK = 2048
_THREADED_CELLS = 250_000

Reason = Literal["id", "arxiv", "doi", "title", "preprint"]
_REASON_ORDER: dict[str, int] = {"id": 0, "arxiv": 1, "doi": 2, "title": 3, "preprint": 4}
_ARXIV_PREFIX = re.compile(r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|\r?$)")
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_UNKNOWN = object()
_NAME = re.compile(r"^[A-Za-z_][\w-]*$")
_BEFORE_TAXONOMY = ("id", "title", "authors", "year", "venue", "arxiv", "doi")
_PLAIN_SCALAR = re.compile(r"^[A-Za-z0-9(\u00a0-\uffff][^\n]*(?<!\s)$")
_INTEGER = re.compile(r"^[0-9]+$")
_OTHER_TYPES = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?)|0x[0-9a-fA-F_]+|"
    r"0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|null|Null|NULL|~|true|True|TRUE|"
    r"false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|\.(?:inf|Inf|INF|nan|"
    r"NaN|NAN)|\d{4}-\d\d?-\d\d?.*)$"
)
_FLOW_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|[^,\[\]{}"\s][^,\[\]{}"]*?(?=\s*(?:,|$))')
_NOT_WORD = re.compile(r"[\W_]+")
_DOI_PREFIX = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def normalise_title(title: str) -> str:
    """Lowercase ASCII words of `title`: ``"Vision-Language Models?" -> "vision language models"``.

    Accents are dropped rather than kept so that a LaTeX-decoded title and a typed one agree.
    """
    if title.isascii():
        return " ".join(_NOT_WORD.sub(" ", title.lower()).split())
    decomposed = unicodedata.normalize("NFKD", title)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def normalise_arxiv(value: str) -> str:
    """The bare arXiv id: ``"arXiv:2304.08485v2" -> "2304.08485"``; unchanged when not one."""
    bare = _ARXIV_PREFIX.sub("", value.strip()).removesuffix(".pdf")
    unversioned = _VERSION.sub("", bare)
    if ARXIV_NEW.match(unversioned) or ARXIV_OLD.match(unversioned):
        return unversioned
    return value.strip()


def normalise_doi(value: str) -> str:
    """The DOI in lowercase, without a resolver prefix (DOIs are case-insensitive)."""
    return _DOI_PREFIX.sub("", value.strip()).lower()


@dataclass(frozen=True)
class Entry:
    """What duplicate detection needs of one record, read from raw data so drafts count too."""

    id: str
    path: str
    title: str
    arxiv: str | None = None
    doi: str | None = None
    venue: str | None = None
    year: int | None = None
    first_author: str = ""
    aliases: tuple[str, ...] = ()
    display_title: str = ""

    @property
    def preprint(self) -> bool:
        """Whether the record cites the arXiv version."""
        return self.venue == "arxiv"


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def entry_from_data(data: Any, path: str) -> Entry:
    """An `Entry` from a record's raw data; anything malformed is simply left out."""
    mapping: Mapping[str, Any] = data if isinstance(data, dict) else {}
    stem = PurePosixPath(path).stem
    title = _text(mapping.get("title")) or ""
    authors = mapping.get("authors")
    first = authors[0] if isinstance(authors, tuple | list) and authors else None
    arxiv = _text(mapping.get("arxiv"))
    doi = _text(mapping.get("doi"))
    year = mapping.get("year")
    aliases = mapping.get("aliases")
    return Entry(
        id=_text(mapping.get("id")) or stem,
        path=path,
        title=normalise_title(title),
        arxiv=normalise_arxiv(arxiv) if arxiv else None,
        doi=normalise_doi(doi) if doi else None,
        venue=_text(mapping.get("venue")),
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        first_author=ascii_fold(family_name(first)) if isinstance(first, str) else "",
        aliases=tuple(a for a in aliases if isinstance(a, str))
        if isinstance(aliases, tuple | list)
        else (),
        display_title=title,
    )


def record_head(text: str) -> str:
    """The top-level fields dedupe reads (`HEAD_FIELDS`), cut out of a record's text.

    Records are block mappings whose keys start at column 0, so a field runs from its key line
    to the next one; summaries, findings and the rest are never parsed. On 100,000 records this
    is about five times faster than parsing whole files.
    """
    kept: list[str] = []
    keep = False
    for line in text.splitlines(keepends=True):
        key = _TOP_KEY.match(line)
        if key is not None:
            keep = key.group(1) in HEAD_FIELDS
        elif line[:1] not in (" ", "\t", "\n", "\r", "-", "#", ""):
            keep = False
        if keep:
            kept.append(line)
    return "".join(kept)


def _scalar(text: str) -> Any:
    """A scalar as `kb fmt` writes it (JSON-quoted, or plain text or a whole number);
    `_UNKNOWN` for anything else, which the YAML parser then reads."""
    if text.startswith('"'):
        try:
            return json.loads(text)
        except ValueError:
            return _UNKNOWN
    if not _PLAIN_SCALAR.match(text) or " #" in text or ": " in text:
        return _UNKNOWN
    if _INTEGER.match(text):
        return int(text)
    if _OTHER_TYPES.match(text):
        return _UNKNOWN
    return text


def _canonical_head(text: str) -> dict[str, Any] | None:
    """The head fields of a record in `kb fmt`'s canonical form, read without a YAML parser
    (several times faster), or None when the text takes any other form.

    The canonical order puts every head field but `aliases` before `taxonomy`, so only that
    part of the file (and an `aliases` line) is read; a head field found after it means the
    file is not canonical, and the YAML parser reads it instead.
    """
    cut = text.find("\ntaxonomy:")
    if cut < 0 or "\r" in text or "\t" in text:
        return None
    tail = text[cut:]
    if any(f"\n{name}:" in tail for name in _BEFORE_TAXONOMY):
        return None
    lines = text[: cut + 1].split("\n")
    at = tail.find("\naliases:")
    if at >= 0:
        block = tail[at + 1 :].split("\n")
        lines += [block[0], *takewhile(lambda line: line.startswith("  "), block[1:])]
    return _read_fields(lines)


def _read_fields(lines: list[str]) -> dict[str, Any] | None:
    """Head fields from canonical lines; of `authors` only the first is read (all dedupe uses)."""
    fields: list[tuple[str, str, list[str]]] = []
    for line in lines:
        if line.startswith("  "):
            if not fields:
                return None
            fields[-1][2].append(line)
        elif line and not line.startswith("#"):
            name, colon, rest = line.partition(":")
            if not colon or (rest and rest[0] != " ") or not _NAME.match(name):
                return None
            fields.append((name, rest.strip(), []))
    data: dict[str, Any] = {}
    for name, rest, body in fields:
        if name not in HEAD_FIELDS:
            continue
        value = _field(rest, body[:1] if name == "authors" and rest == "" else body)
        if value is _UNKNOWN:
            return None
        data[name] = value
    return data


def _field(rest: str, body: list[str]) -> Any:
    if rest == ">-":
        if not body or any(line.startswith("   ") for line in body):
            return _UNKNOWN
        return " ".join(line[2:] for line in body)
    if rest == "":
        if any(not line.startswith("  - ") for line in body):
            return _UNKNOWN
        items = tuple(_scalar(line[4:]) for line in body)
    elif body:
        return _UNKNOWN
    elif rest.startswith("[") and rest.endswith("]"):
        inside = rest[1:-1].strip()
        if inside and _FLOW_ITEM.sub("", inside).strip(", "):
            return _UNKNOWN
        items = tuple(_scalar(item) for item in _FLOW_ITEM.findall(inside)) if inside else ()
    else:
        return _scalar(rest)
    return _UNKNOWN if _UNKNOWN in items else items


def entry_from_text(text: str, path: str) -> Entry | None:
    """An `Entry` from a record file's text, or None when its head is not a YAML mapping.

    Canonical records are read by `_canonical_head`; any other text by PyYAML's safe loader,
    on its head only. Files that fail here are reported by `kb validate`; dedupe skips them.
    """
    data: Any = _canonical_head(text)
    if data is None:
        try:
            data = yaml.load(record_head(text), Loader=_SAFE_LOADER)
        except (yaml.YAMLError, RecursionError, ValueError):
            return None
    return entry_from_data(data, path) if isinstance(data, dict) else None


def entry_from_document(doc: Document) -> Entry:
    """An `Entry` from a loaded `papers/<id>.yaml` document."""
    return entry_from_data(doc.data, doc.path)


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
    tables: dict[Reason, dict[str, list[int]]] = {"id": {}, "arxiv": {}, "doi": {}}
    for index, entry in enumerate(entries):
        for name in {entry.id, *entry.aliases}:
            tables["id"].setdefault(name, []).append(index)
        if entry.arxiv:
            tables["arxiv"].setdefault(entry.arxiv.lower(), []).append(index)
        if entry.doi:
            tables["doi"].setdefault(entry.doi, []).append(index)
    for reason, table in tables.items():
        for value, owners in table.items():
            for other in owners[1:]:
                yield Link(owners[0], other, reason, value)


def _prefixes(titles: Sequence[str]) -> list[list[str]]:
    """Each title's `PREFIX_WORDS` rarest distinct words (ties by the word itself), leaving out
    words used by more than `BLOCK_LIMIT` titles: their blocks would cost a square of that."""
    bags = [set(title.split()) for title in titles]
    frequency = Counter(word for bag in bags for word in bag)
    order = sorted(frequency, key=lambda word: (frequency[word], word))
    rank = {word: position for position, word in enumerate(order)}.__getitem__
    return [
        [w for w in sorted(bag, key=rank)[:PREFIX_WORDS] if frequency[w] <= BLOCK_LIMIT]
        for bag in bags
    ]


def _neighbour_pairs(titles: Sequence[str]) -> Iterator[tuple[int, int, float]]:
    """Pairs scoring at least `TITLE_SCORE` among titles next to each other (within `WINDOW`)
    when sorted as written and when sorted by their sorted words."""
    for key in (lambda i: titles[i], lambda i: " ".join(sorted(titles[i].split()))):
        order = sorted(range(len(titles)), key=key)
        ordered = [titles[i] for i in order]
        for step in range(1, min(WINDOW, len(order) - 1) + 1):
            scores = process.cpdist(
                ordered[:-step],
                ordered[step:],
                scorer=fuzz.ratio,
                score_cutoff=TITLE_SCORE,
                dtype=np.uint8,
                workers=-1 if len(order) > _THREADED_CELLS // 10 else 1,
            )
            for position in np.nonzero(scores)[0]:
                a, b = order[int(position)], order[int(position) + step]
                yield min(a, b), max(a, b), fuzz.ratio(titles[a], titles[b])


def _cdist(rows: Sequence[str], columns: Sequence[str], cutoff: float) -> Any:
    """`fuzz.ratio` of every row against every column, 0 below `cutoff`.

    Threads only pay off on large matrices: starting them costs about 0.2 ms a call.
    """
    workers = -1 if len(rows) * len(columns) > _THREADED_CELLS else 1
    return process.cdist(
        rows, columns, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=workers
    )


def _scored_pairs(
    block: Sequence[int], titles: Sequence[str], cutoff: float
) -> Iterator[tuple[int, int, float]]:
    """Pairs of `block` (indices into `titles`) scoring at least `cutoff`, each once."""
    if len(block) <= _SMALL_BLOCK:
        for position, first in enumerate(block):
            for second in block[position + 1 :]:
                score = fuzz.ratio(titles[first], titles[second], score_cutoff=cutoff)
                if score:
                    yield first, second, score
        return
    choices = [titles[i] for i in block]
    for start in range(0, len(block), _CHUNK):
        rows = choices[start : start + _CHUNK]
        matrix = _cdist(rows, choices, cutoff)
        for row, column in zip(*np.nonzero(matrix), strict=True):
            first, second = start + int(row), int(column)
            if first < second:
                a, b = block[first], block[second]
                yield a, b, fuzz.ratio(titles[a], titles[b])


def _similar_titles(entries: Sequence[Entry]) -> Iterator[Link]:
    same: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        if entry.title:
            same[entry.title].append(index)
    for owners in same.values():
        for other in owners[1:]:
            yield Link(owners[0], other, "title", "100")
    distinct = list(same)
    representative = [owners[0] for owners in same.values()]
    blocks: dict[str, list[int]] = defaultdict(list)
    for position, prefix in enumerate(_prefixes(distinct)):
        for word in prefix:
            blocks[word].append(position)
    seen: set[tuple[int, int]] = set()
    candidates = chain(
        (
            pair
            for block in blocks.values()
            if len(block) > 1
            for pair in _scored_pairs(block, distinct, TITLE_SCORE)
        ),
        _neighbour_pairs(distinct),
    )
    for first, second, score in candidates:
        if (first, second) in seen:
            continue
        seen.add((first, second))
        a, b = sorted((representative[first], representative[second]))
        yield Link(a, b, "title", f"{score:.1f}")


def _preprint_pairs(entries: Sequence[Entry]) -> Iterator[Link]:
    # NOTE: blocked by first author, then by year: a preprint of year y meets only the published
    # records of years y-2..y+2 (records without a year meet every year).
    by_author: dict[str, dict[int | None, tuple[list[int], list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: ([], []))
    )
    for index, entry in enumerate(entries):
        if entry.first_author and entry.title and entry.venue:
            side = 0 if entry.preprint else 1
            by_author[entry.first_author][entry.year][side].append(index)
    for years in by_author.values():
        published_years = [year for year, (_, published) in years.items() if published]
        for year, (preprints, _) in years.items():
            if not preprints:
                continue
            published = [
                index
                for other in published_years
                if year is None or other is None or abs(other - year) <= PREPRINT_YEARS
                for index in years[other][1]
            ]
            yield from _preprint_block(entries, preprints, published)


def _preprint_block(
    entries: Sequence[Entry], preprints: list[int], published: list[int]
) -> Iterator[Link]:
    if not published:
        return
    columns = [entries[i].title for i in published]
    for start in range(0, len(preprints), _CHUNK):
        rows = preprints[start : start + _CHUNK]
        matrix = _cdist([entries[i].title for i in rows], columns, PREPRINT_SCORE)
        for row, column in zip(*np.nonzero(matrix), strict=True):
            early, late = rows[int(row)], published[int(column)]
            score = fuzz.ratio(entries[early].title, entries[late].title)
            yield Link(min(early, late), max(early, late), "preprint", f"{score:.1f}")


def _years_close(first: Entry, second: Entry) -> bool:
    if first.year is None or second.year is None:
        return True
    return abs(first.year - second.year) <= PREPRINT_YEARS


def find_duplicates(entries: Sequence[Entry]) -> list[Group]:
    """Groups of records that look like one paper, ordered by their first path.

    Cost grows with the number of records times the block sizes, not with its square; see the
    module docstring for a measurement on 100,000 records.
    """
    ordered = sorted(range(len(entries)), key=lambda i: entries[i].path)
    items = [entries[i] for i in ordered]
    # NOTE: one link per pair, the strongest evidence: an exact key beats a title score.
    strongest: dict[tuple[int, int], Link] = {}
    found = [*_shared_keys(items), *_similar_titles(items), *_preprint_pairs(items)]
    for link in sorted(found, key=lambda link: (_REASON_ORDER[link.reason], link)):
        pair = (min(link.first, link.second), max(link.first, link.second))
        strongest.setdefault(pair, link)
    union = _UnionFind(list(range(len(items))))
    for first, second in strongest:
        union.union(first, second)
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(items)):
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
