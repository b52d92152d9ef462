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
sharing a block are scored. Two titles that differ in at most two words on each side share a
block, since the rarest word they have in common is among the three rarest of both. Words used
by more than `BLOCK_LIMIT` titles make no block (it would cost the square of its size); titles
are also scored against their `WINDOW` neighbours in two sort orders (as written, and by sorted
words), which catches near-identical titles made only of common words. The preprint rule
compares only preprints with published records of the same first author from at most two years
before or after. Before rapidfuzz scores a candidate pair, numpy dismisses every pair whose
character counts differ by more than its cutoff allows (`_Titles`): that difference is a lower
bound of the Indel distance `fuzz.ratio` is made of, so the pairs found are exactly those that
scoring every candidate finds, at a fraction of the cost.

Measured with `benchmarks/generate.py` (100,100 records of about 4 KB, 100 planted near-
duplicates, 108 first authors, so the preprint rule alone has 8.9 million candidate pairs) on
two cores shared with another job: `kb dedupe` 4.8 s and 337 MB at best of three (12.9 s and
345 MB before the head reader and the prefilter), 99 of the 100 planted pairs found (the
other, a dropped word in a five-word title, scores 90.7). Of its 6.3 s of CPU: 0.5 s imports,
0.2 s listing papers/, 3.6 s reading heads in two processes (about 30 us a record, a fifth of
it system calls, and pickling entries from one process to the other), 1.8 s `find_duplicates`
(0.8 s titles, 0.7 s the preprint rule). `kb dedupe` reads only the head of each record
(`entry_from_text`), with `_canonical_head` for any text `kb fmt` writes.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, count
from multiprocessing import get_context
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import yaml
from rapidfuzz import fuzz, process

from kb.fields import ARXIV_NEW, ARXIV_OLD
from kb.ids import ascii_fold, family_name
from kb.load import MAX_FILE_BYTES, MAX_OPENERS, Document, paper_files
from kb.memory import collector_paused

__all__ = [
    "BLOCK_LIMIT",
    "HEAD_FIELDS",
    "PARALLEL_FILES",
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
    "read_entries",
    "record_head",
]

TITLE_SCORE = 92.0
PREPRINT_SCORE = 80.0
PREFIX_WORDS = 3
HEAD_FIELDS = frozenset({"id", "title", "authors", "year", "venue", "arxiv", "doi", "aliases"})
BLOCK_LIMIT = 500
WINDOW = 8
PREPRINT_YEARS = 2
# Below this many files, starting a worker process costs more than it saves (as in kb.pipeline).
PARALLEL_FILES = 1_000
_MAX_JOBS = 8
_READ_SIZE = 65_536
# NOTE: title prefilter (`_Titles`): character bins, and the slice of titles or pairs (or cells)
# handled at once, which bounds the memory of numpy's temporaries to a few megabytes each.
_BINS = 40
_CHAR_BINS = np.array(
    [
        ord(char) - ord("a")
        if "a" <= char <= "z"
        else 26 + ord(char) - ord("0")
        if "0" <= char <= "9"
        else 36
        if char == " "
        else 37
        for char in map(chr, range(128))
    ],
    dtype=np.int32,
)
_SLICE = 1 << 16

Reason = Literal["id", "arxiv", "doi", "title", "preprint"]
_REASON_ORDER: dict[str, int] = {"id": 0, "arxiv": 1, "doi": 2, "title": 3, "preprint": 4}
_ARXIV_PREFIX = re.compile(r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|\r?$)")
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_UNKNOWN = object()
# NOTE: a head field as `record_head` cuts it: key line, lines indented by two spaces, and then
# no line it would keep too; or else just a head key, which makes the reader decline.
_NAMES = "|".join(sorted(HEAD_FIELDS))
_FIELD_BODY = (
    rf"(?:({_NAMES}):( [^\n]*)?((?:\n  [^\n]*)*)(?=\n(?:[^ \t#\n-]|\Z))|((?:{_NAMES})[ \t]*:))"
)
_HEAD_FIELD = re.compile(rf"\n{_FIELD_BODY}")
_FIRST_HEAD_FIELD = re.compile(_FIELD_BODY)
_WITHOUT_OPENERS = str.maketrans("", "", "[{-:?")
_WIDE_BREAKS = re.compile("[\x85\u2028\u2029]")
_SAFE_ITEMS = re.compile(r"(?:\n  - [^\W\d_][^\n:#]*)+")
_ITEM = r'"(?:[^"\\]|\\.)*"|[^\s,\[\]{}#:"][^,\[\]{}#:"]*'
_FLOW_ITEM = re.compile(_ITEM)
_FLOW_LIST = re.compile(rf"\[ *\]|\[(?:{_ITEM})(?:, (?:{_ITEM}))*\]")
_SAFE_FLOW_ITEMS = re.compile(rf'\[({_ITEM})(?:, [^\W\d_][^,\[\]{{}}#:"]*)*\]')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_INTEGER = re.compile(r"(?:0|[1-9][0-9]*)\Z")
# A plain scalar YAML 1.1 reads as this very string: not another type (`_OTHER_TYPES`), no
# indicator first, no trailing space or colon (": " and " #" are tested apart).
_OTHER_TYPES = (
    r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?)|0x[0-9a-fA-F_]+|0b[01_]+|"
    r"0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|null|Null|NULL|~|true|True|TRUE|"
    r"false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|"
    r"\.(?:inf|Inf|INF|nan|NaN|NAN)|\d{4}-\d\d?-\d\d?.*"
)
_PLAIN_STRING = re.compile(rf"(?!(?:{_OTHER_TYPES})\Z)[A-Za-z0-9(\u00a0-\uffff][^\n]*(?<![\s:])\Z")
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_ASCII_ALNUM = bytes(byte for byte in range(256) if not (48 <= byte <= 57 or 97 <= byte <= 122))
_ASCII_WORDS = bytes(byte if chr(byte).isalnum() and byte < 128 else 32 for byte in range(256))
_DOI_PREFIX = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def normalise_title(title: str) -> str:
    """Lowercase ASCII words of `title`: ``"Vision-Language Models?" -> "vision language models"``.

    Accents are dropped rather than kept so that a LaTeX-decoded title and a typed one agree.
    """
    if title.isascii():
        # NOTE: bytes.translate maps every other ASCII character to a space in one C loop, five
        # times faster than the regular expression below (normalising is done once per record).
        return " ".join(title.encode().lower().translate(_ASCII_WORDS).decode().split())
    decomposed = unicodedata.normalize("NFKD", title)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def normalise_arxiv(value: str) -> str:
    """The bare arXiv id: ``"arXiv:2304.08485v2" -> "2304.08485"``; unchanged when not one."""
    if ARXIV_NEW.match(value) and value[-1].isdigit():
        return value  # NOTE: already bare, as in most records; the steps below would keep it.
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
    if isinstance(value, str):
        return value.strip() or None
    return None


def _family(author: str) -> str:
    """`ascii_fold(family_name(author))`, without Unicode normalisation for ASCII names (all
    it would do there is lowercase and drop what is not a letter or digit)."""
    family = family_name(author)
    if family.isascii():
        return family.encode().lower().translate(None, _NOT_ASCII_ALNUM).decode()
    return ascii_fold(family)


def entry_from_data(data: Any, path: str) -> Entry:
    """An `Entry` from a record's raw data; anything malformed is simply left out."""
    mapping: Mapping[str, Any] = data if isinstance(data, dict) else {}
    get = mapping.get
    title = _text(get("title")) or ""
    authors = get("authors")
    first = authors[0] if isinstance(authors, (tuple, list)) and authors else None
    arxiv = _text(get("arxiv"))
    doi = _text(get("doi"))
    year = get("year")
    aliases = get("aliases")
    return Entry(
        _text(get("id")) or PurePosixPath(path).stem,
        path,
        normalise_title(title),
        normalise_arxiv(arxiv) if arxiv else None,
        normalise_doi(doi) if doi else None,
        _text(get("venue")),
        year if isinstance(year, int) and not isinstance(year, bool) else None,
        _family(first) if isinstance(first, str) else "",
        tuple(a for a in aliases if isinstance(a, str))
        if isinstance(aliases, (tuple, list))
        else (),
        title,
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
    """A one-line scalar (stripped, printable) as YAML reads it when `kb fmt` could have written
    it: JSON-quoted, plain text or a whole number; `_UNKNOWN` for anything else.

    NOTE: every test declines rather than guesses: YAML 1.1 reads ``0123`` as 83, ``0b101`` as
    5 and ``yes`` as True, and rejects ``foo:`` and surrogate escapes, all of which JSON or a
    naive reading would accept.
    """
    if text[0] == '"':
        inner = text[1:-1]
        if text[-1] == '"' and len(text) > 1 and '"' not in inner and "\\" not in inner:
            return inner
        if _SURROGATE_ESCAPE.search(text):
            return _UNKNOWN
        try:
            return json.loads(text)
        except ValueError:
            return _UNKNOWN
    if _INTEGER.match(text):
        return int(text)
    if " #" in text or ": " in text:
        return _UNKNOWN
    return text if _PLAIN_STRING.match(text) else _UNKNOWN


def _canonical_head(text: str) -> dict[str, Any] | None:
    """The head fields of a record as `kb fmt` writes them, read without a YAML parser (several
    times faster), or None when unsure; then `yaml.load(record_head(text))` decides.

    Where `entry_from_data` looks, the result equals that YAML reading (tests hold it to that).
    It finds the lines `record_head` keeps: every line that starts with a head key, and the
    lines indented by two spaces after it; when a following line would be kept too (a blank,
    dash, comment or otherwise indented line), it declines. The rest of the file is never
    looked at but for odd line breaks. Of `authors` only the first is read: all dedupe uses.
    """
    if _odd_line_breaks(text):
        return None
    if text[-1:] != "\n":
        text += "\n"
    first = _FIRST_HEAD_FIELD.match(text)
    fields = chain([first] if first else [], _HEAD_FIELD.finditer(text))
    data: dict[str, Any] = {}
    for match in fields:
        name, rest, body, odd = match.groups()
        value = _UNKNOWN if odd else _value(name, rest[1:].strip(" ") if rest else "", body)
        if value is _UNKNOWN:
            return None
        data[name] = value
    # NOTE: with no head field YAML reads an empty text as None, not a mapping.
    return data or None


def _odd_line_breaks(text: str) -> bool:
    """Whether `text` has a character `str.splitlines` (so `record_head`) or YAML takes for a
    line break other than ``\\n``: a few `in` tests, each a memchr, not a regex. (Tabs need no
    test: head lines holding one are not printable, and a line starting with one is declined.)
    """
    if (
        "\r" in text
        or "\x0b" in text
        or "\x0c" in text
        or "\x1c" in text
        or "\x1d" in text
        or "\x1e" in text
    ):
        return True
    return not text.isascii() and _WIDE_BREAKS.search(text) is not None


def _value(name: str, rest: str, body: str) -> Any:
    """A head field's value from its key line's `rest` and its indented `body` lines."""
    if body:
        if not body.replace("\n", "").isprintable():
            return _UNKNOWN
        if rest == ">-":
            return _folded(body)
        return _block_items(name, body) if rest == "" else _UNKNOWN
    if not rest:
        return None
    if not rest.isprintable():
        return _UNKNOWN
    return _flow_items(name, rest) if rest[0] == "[" else _scalar(rest)


def _folded(body: str) -> Any:
    """A `>-` block (`body` is its lines, each after a line break): lines joined by spaces,
    unless one is blank or more indented (YAML keeps line breaks there)."""
    if "\n   " in body or "\n  \n" in body or body.endswith("\n  "):
        return _UNKNOWN
    return body[3:].replace("\n  ", " ")


def _block_items(name: str, body: str) -> Any:
    """A block sequence of one-line scalars (`body` is its lines, each after a line break).

    NOTE: of `authors` only the first item's value matters; when `_SAFE_ITEMS` shows that every
    item is a plain scalar YAML reads without error, only that one is decoded (a record has
    about a dozen authors, and decoding each was a third of the reading time).
    """
    if name == "authors" and _SAFE_ITEMS.fullmatch(body):
        end = body.find("\n", 1)
        first = _scalar(body[5 : end if end > 0 else len(body)].rstrip(" "))
        return _UNKNOWN if first is _UNKNOWN else (first,)
    lines = body.split("\n")[1:]
    if any(not line.startswith("  - ") or len(line) == 4 for line in lines):
        return _UNKNOWN
    items = tuple(_scalar(line[4:]) for line in lines)
    return _UNKNOWN if any(item is _UNKNOWN for item in items) else items


def _flow_items(name: str, rest: str) -> Any:
    """A one-line flow sequence as `kb fmt` writes it: ``[a, "b, c"]``, items after ", "; of
    `authors`, only the first item is decoded when the others are plain words (`_block_items`).
    """
    if name == "authors":
        safe = _SAFE_FLOW_ITEMS.fullmatch(rest)
        if safe is not None:
            first = _scalar(safe.group(1))
            return _UNKNOWN if first is _UNKNOWN else (first,)
    if not _FLOW_LIST.fullmatch(rest):
        return _UNKNOWN
    items = tuple(_scalar(item) for item in _FLOW_ITEM.findall(rest, 1, len(rest) - 1))
    return _UNKNOWN if any(item is _UNKNOWN for item in items) else items


def entry_from_text(text: str, path: str) -> Entry | None:
    """An `Entry` from a record file's text, or None when its head is not a YAML mapping.

    Canonical records are read by `_canonical_head`; any other text by PyYAML's safe loader,
    on its head only. Files that fail here are reported by `kb validate`; dedupe skips them.
    """
    data: Any = _canonical_head(text)
    if data is None:
        head = record_head(text)
        # NOTE: libyaml's composer recurses in C once per nesting level and crashes the
        # interpreter on very deep input; kb.load bounds the depth the same way.
        if len(head) - len(head.translate(_WITHOUT_OPENERS)) > MAX_OPENERS:
            return None
        try:
            data = yaml.load(head, Loader=_SAFE_LOADER)
        except (yaml.YAMLError, RecursionError, ValueError):
            return None
    return entry_from_data(data, path) if isinstance(data, dict) else None


def entry_from_document(doc: Document) -> Entry:
    """An `Entry` from a loaded `papers/<id>.yaml` document."""
    return entry_from_data(doc.data, doc.path)


def read_entries(root: Path) -> list[Entry]:
    """The dedupe view of every record file under `root`, in no particular order; files that
    cannot be read, are too large, not UTF-8 or whose head is not a mapping are left to
    `kb validate`.

    NOTE: above `PARALLEL_FILES` files the list is split among forked workers, this process
    reading one share itself while they read theirs (as `kb validate` does, see kb.pipeline).
    """
    displays, _ = paper_files(root)
    jobs = min(os.cpu_count() or 1, _MAX_JOBS)
    base = os.fspath(root)
    if jobs < 2 or len(displays) < PARALLEL_FILES:
        return _read_share(base, displays)
    shares = [displays[index::jobs] for index in range(jobs)]
    with ProcessPoolExecutor(jobs - 1, get_context("fork")) as pool:
        futures = [pool.submit(_read_share, base, share) for share in shares[1:]]
        entries = _read_share(base, shares[0])
        for future in futures:
            entries += future.result()
    return entries


def _read_share(base: str, displays: Sequence[str]) -> list[Entry]:
    entries: list[Entry] = []
    with collector_paused():
        for display in displays:
            text = _file_text(f"{base}/{display}")
            entry = entry_from_text(text, display) if text is not None else None
            if entry is not None:
                entries.append(entry)
    return entries


def _file_text(path: str) -> str | None:
    """A file's text, or None when it cannot be read, is larger than `MAX_FILE_BYTES` or is not
    UTF-8.

    NOTE: one `os.read` of `_READ_SIZE` bytes takes a whole record (about 4 KB) in a single
    system call, several times cheaper than `open()` and its buffered reader; only a file that
    fills it is measured and read on. A short read means the end of the file: local files
    give every byte asked for that they have.
    """
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        start = os.read(handle, _READ_SIZE)
        data = _read_rest(handle, start) if len(start) == _READ_SIZE else start
    except OSError:
        return None
    finally:
        os.close(handle)
    try:
        return data.decode("utf-8") if data is not None else None
    except UnicodeDecodeError:
        return None


def _read_rest(handle: int, start: bytes) -> bytes | None:
    """`start` and the rest of the file, or None when the whole is over `MAX_FILE_BYTES`."""
    if os.fstat(handle).st_size > MAX_FILE_BYTES:
        return None
    chunks = [start]
    size = len(start)
    while size <= MAX_FILE_BYTES:
        chunk = os.read(handle, MAX_FILE_BYTES + 1 - size)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


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


Indices = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Titles:
    """Distinct titles, and what dismissing a pair without scoring it needs: lengths and
    character histograms.

    `fuzz.ratio` is 100 * (1 - d / (length + length)) with d the Indel distance, and d is at
    least the L1 distance of the two titles' character counts, since an insertion or deletion
    changes one count by one; that stays true when characters share bins and counts saturate.
    A pair whose histograms differ by more than its score allows is dismissed unscored: numpy
    does that for millions of pairs in the time rapidfuzz scores a few hundred thousand.
    """

    text: list[str]
    lengths: Indices
    histograms: npt.NDArray[np.uint8]

    @classmethod
    def of(cls, titles: list[str]) -> _Titles:
        """`titles` with their lengths and histograms, computed in slices to bound memory."""
        lengths = np.fromiter(map(len, titles), dtype=np.int64, count=len(titles))
        parts = [np.zeros((0, _BINS), dtype=np.uint8)]
        for start in range(0, len(titles), _SLICE):
            end = start + _SLICE
            parts.append(_histograms(titles[start:end], lengths[start:end]))
        return cls(titles, lengths, np.concatenate(parts))

    def may_score(self, first: Indices, second: Indices, cutoff: float) -> Indices:
        """Positions i at which titles first[i] and second[i] may score at least `cutoff`."""
        kept = [np.zeros(0, dtype=np.int64)]
        for start in range(0, len(first), _SLICE):
            rows, columns = first[start : start + _SLICE], second[start : start + _SLICE]
            allowed, difference = _allowed(self.lengths[rows], self.lengths[columns], cutoff)
            near = np.flatnonzero(difference <= allowed)
            distance = _distance(self.histograms[rows[near]], self.histograms[columns[near]])
            kept.append(near[distance <= allowed[near]] + start)
        return np.concatenate(kept)

    def may_score_cells(
        self, rows: Indices, columns: Indices, cutoff: float
    ) -> tuple[Indices, Indices]:
        """Cells (row and column positions) of the `rows` x `columns` matrix whose titles may
        score at least `cutoff`; a bin at a time over the whole matrix, which numpy does fastest.
        """
        allowed, _ = _allowed(self.lengths[rows, None], self.lengths[None, columns], cutoff)
        row_counts = self.histograms[rows].T.astype(np.int16)
        column_counts = self.histograms[columns].T.astype(np.int16)
        # NOTE: bins no title here uses add nothing (titles use a few dozen characters).
        used = np.flatnonzero(row_counts.any(axis=1) | column_counts.any(axis=1))
        distance = np.zeros(allowed.shape, dtype=np.int16)
        for column in used.tolist():
            distance += np.abs(row_counts[column, :, None] - column_counts[column, None, :])
        found = np.nonzero(distance <= allowed)
        return found[0], found[1]


def _allowed(first: Indices, second: Indices, cutoff: float) -> tuple[Any, Any]:
    """The largest Indel distance at which titles of these lengths may still score `cutoff`
    (plus one, slack for rapidfuzz's floating-point comparison), and their length difference,
    which is at most the distance."""
    return (first + second) * ((100.0 - cutoff) / 100.0) + 1.0, np.abs(first - second)


def _histograms(titles: list[str], lengths: Indices) -> npt.NDArray[np.uint8]:
    """Each title's count of each character bin (`_CHAR_BINS`), at most 255."""
    joined = "".join(titles)
    if joined.isascii():
        bins = _CHAR_BINS[np.frombuffer(joined.encode("ascii"), dtype=np.uint8)]
    else:
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
        bins = np.where(codes < 128, _CHAR_BINS[np.minimum(codes, 127)], _BINS - 1 - codes % 2)
    # NOTE: int32 (a slice holds at most `_SLICE` titles): half the memory traffic of int64.
    cells = np.repeat(np.arange(0, len(titles) * _BINS, _BINS, dtype=np.int32), lengths)
    cells += bins
    counts = np.bincount(cells, minlength=len(titles) * _BINS)
    return np.minimum(counts, 255).astype(np.uint8).reshape(len(titles), _BINS)


def _distance(first: npt.NDArray[np.uint8], second: npt.NDArray[np.uint8]) -> Any:
    """Row-wise L1 distance of two arrays of histograms."""
    return (np.maximum(first, second) - np.minimum(first, second)).sum(axis=1, dtype=np.int64)


def _prefix_blocks(split: Sequence[list[str]]) -> tuple[Indices, Indices]:
    """Blocks of titles sharing a word among their `PREFIX_WORDS` rarest distinct words (ties
    by the word itself), as the titles (positions, ascending within a block) block after block,
    and each block's size; words used by more than `BLOCK_LIMIT` titles make no block: such a
    block would cost a square of that.

    NOTE: with numpy on (title, word rank) pairs: in Python, sorting each title's words was most
    of the blocking time.
    """
    titles = len(split) + 1
    owners, ranks, limit = _ranked_words(split)
    place = np.arange(len(ranks)) - np.searchsorted(owners, owners)
    keep = (place < PREFIX_WORDS) & (ranks < limit)
    block_words, members = np.divmod(np.sort(ranks[keep] * titles + owners[keep]), titles)
    starts = np.flatnonzero(np.r_[True, block_words[1:] != block_words[:-1]])
    return members, np.diff(np.r_[starts, len(members)])


def _ranked_words(split: Sequence[list[str]]) -> tuple[Indices, Indices, int]:
    """Each title's distinct words as (title, rank) pairs sorted by title, then rank: the rank
    orders words by how many titles use them, then by the word. And how many words are used by
    at most `BLOCK_LIMIT` titles (the ranks below that)."""
    counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    ids: dict[str, int] = {}
    words = np.fromiter(
        map(ids.setdefault, chain.from_iterable(split), count()),
        dtype=np.int64,
        count=int(counts.sum()),
    )
    span = len(words) + 1
    owners = np.repeat(np.arange(len(split), dtype=np.int64), counts)
    owners, words = np.divmod(_distinct(owners * span + words), span)
    first_ids = np.fromiter(ids.values(), dtype=np.int64, count=len(ids))
    used = np.bincount(words, minlength=span)[first_ids].tolist()
    vocabulary = list(ids)
    order = sorted(range(len(vocabulary)), key=lambda word: (used[word], vocabulary[word]))
    rank = np.zeros(span, dtype=np.int64)
    rank[first_ids[order]] = np.arange(len(order))
    size = len(order) + 1
    owners, ranks = np.divmod(np.sort(owners * size + rank[words]), size)
    return owners, ranks, sum(1 for uses in used if uses <= BLOCK_LIMIT)


def _distinct(values: Indices) -> Indices:
    """`values` sorted, each once (`np.unique` hashes, several times slower on a million)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _block_pairs(split: Sequence[list[str]]) -> Iterator[tuple[Indices, Indices]]:
    """Every pair (first < second) inside each block of `_prefix_blocks`, a few hundred
    thousand at a time, the blocks of one size together."""
    members, sizes = _prefix_blocks(split)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    for size in _distinct(sizes[sizes > 1]).tolist():
        upper, lower = np.triu_indices(size, 1)
        offsets = starts[sizes == size]
        step = max(1, _SLICE // len(upper))
        for first in range(0, len(offsets), step):
            block = members[offsets[first : first + step, None] + np.arange(size)]
            yield block[:, upper].ravel(), block[:, lower].ravel()


def _neighbour_pairs(
    titles: list[str], split: Sequence[list[str]]
) -> Iterator[tuple[Indices, Indices]]:
    """Titles next to each other (within `WINDOW`) when sorted as written and when sorted by
    their sorted words."""
    by_words = [" ".join(sorted(words)) for words in split]
    for keys in (titles, by_words):
        order = np.array(sorted(range(len(titles)), key=keys.__getitem__), dtype=np.int64)
        for step in range(1, min(WINDOW, len(order) - 1) + 1):
            yield order[:-step], order[step:]


def _title_scores(titles: _Titles) -> dict[tuple[int, int], float]:
    """Pairs of titles (positions, first < second) that share a block or are neighbours and
    score at least `TITLE_SCORE`, with their score."""
    text = titles.text
    split = [title.split() for title in text]
    scores: dict[tuple[int, int], float] = {}
    for first, second in chain(_block_pairs(split), _neighbour_pairs(text, split)):
        kept = titles.may_score(first, second, TITLE_SCORE)
        for a, b in zip(first[kept].tolist(), second[kept].tolist(), strict=True):
            pair = (a, b) if a < b else (b, a)
            if pair not in scores:
                scores[pair] = fuzz.ratio(text[a], text[b], score_cutoff=TITLE_SCORE)
    return {pair: score for pair, score in scores.items() if score}


def _similar_titles(same: Mapping[str, list[int]], titles: _Titles) -> Iterator[Link]:
    for owners in same.values():
        for other in owners[1:]:
            yield Link(owners[0], other, "title", "100")
    representative = [owners[0] for owners in same.values()]
    for (first, second), score in _title_scores(titles).items():
        a, b = sorted((representative[first], representative[second]))
        yield Link(a, b, "title", f"{score:.1f}")


def _preprint_pairs(
    entries: Sequence[Entry], same: Mapping[str, list[int]], titles: _Titles
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
    titles: _Titles, title_of: list[int], preprints: list[int], published: list[int]
) -> Iterator[Link]:
    """Links between `preprints` and `published` records (indices) whose titles score at least
    `PREPRINT_SCORE`, a slice of preprints at a time (its cells bound the filter's memory)."""
    if not published:
        return
    columns = np.array([title_of[i] for i in published], dtype=np.int64)
    choices = [titles.text[i] for i in columns.tolist()]
    step = max(1, _SLICE // len(published))
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
    titles = _Titles.of(list(same))
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
