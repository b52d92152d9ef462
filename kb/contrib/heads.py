"""The dedupe view of a record (`Entry`), read fast from the head of each record file.

`kb dedupe` reads only the head of each record (`entry_from_text`): the top-level fields it
needs (`HEAD_FIELDS`, cut out by `record_head`), with `_canonical_head` for any text `kb fmt`
writes and PyYAML's safe loader for the rest, in worker processes above `PARALLEL_FILES` files
(`read_entries`). `kb add` and `kb diff` build entries from data they already hold
(`entry_from_data`). Identifiers and titles are normalised (`normalise_arxiv`, `normalise_doi`,
`normalise_title`) so that duplicates compare equal; `kb.contrib.dedupe` then compares entries,
and its docstring measures both steps on 100,000 records.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from kb.core.fields import ARXIV_NEW, ARXIV_OLD
from kb.core.ids import ascii_fold, family_name
from kb.core.load import MAX_FILE_BYTES, MAX_OPENERS, Document, paper_files
from kb.core.memory import collector_paused

__all__ = [
    "HEAD_FIELDS",
    "PARALLEL_FILES",
    "Entry",
    "entry_from_data",
    "entry_from_document",
    "entry_from_text",
    "normalise_arxiv",
    "normalise_doi",
    "normalise_title",
    "read_entries",
    "record_head",
]

HEAD_FIELDS = frozenset({"id", "title", "authors", "year", "venue", "arxiv", "doi", "aliases"})
# Below this many files, starting a worker process costs more than it saves (as in kb.pipeline).
PARALLEL_FILES = 1_000
_MAX_JOBS = 8
_READ_SIZE = 65_536
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
