"""Stage 1: read YAML files into plain values, remembering where every key and value stands.

The parser is PyYAML's (its C parser when present), but the tree is built here from parse
events, so that aliases, anchors, tags, duplicate keys and deep nesting are refused before any
value is constructed, and every value keeps its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from kb.problems import Loc, Position, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Document",
    "LoadError",
    "Loaded",
    "load_document",
    "parse_text",
    "read_tree",
]

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 16

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
# NOTE: C0/C1 controls (tab and newline excepted) and Unicode bidi overrides can hide text from
# reviewers ("Trojan Source"); none has a place in a record.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


@dataclass(frozen=True)
class Document:
    """A parsed file: its data and the position of every value and mapping key, by path."""

    path: str
    data: Any
    values: dict[Loc, Position] = field(default_factory=dict)
    keys: dict[Loc, Position] = field(default_factory=dict)
    text: str = ""

    def position(self, loc: Loc) -> Position:
        """Where `loc` stands, falling back to its nearest located parent."""
        for end in range(len(loc), -1, -1):
            found = self.values.get(loc[:end])
            if found is not None:
                return found
        return Position()

    def key_position(self, loc: Loc) -> Position:
        """Where the key of `loc` stands (for unknown or misplaced keys)."""
        return self.keys.get(loc) or self.position(loc)


class LoadError(Exception):
    """A file that cannot be turned into data; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def load_document(path: Path, display: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read and parse one file; raise `LoadError` with a located problem when it is unusable."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(
                Problem(
                    "file-too-large",
                    display,
                    f"file is {size:,} bytes; the limit is {max_bytes:,}",
                    hint="a record is a few kilobytes; is this the right file?",
                )
            )
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise LoadError(
            Problem("unreadable", display, f"cannot read file: {error.strerror}")
        ) from None
    return parse_text(_decode(raw, display), display)


def _decode(raw: bytes, display: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise LoadError(
            Problem(
                "bom",
                display,
                "file starts with a byte-order mark",
                hint="save the file as UTF-8 without BOM",
            )
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        col = error.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            Problem(
                "not-utf8",
                display,
                f"byte 0x{raw[error.start]:02x} is not valid UTF-8",
                line,
                col,
                hint="save the file as UTF-8",
            )
        ) from None


def parse_text(text: str, display: str) -> Document:
    """Parse YAML text into a `Document`; raise `LoadError` for anything not plain data."""
    text = text.replace("\r\n", "\n")
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise LoadError(
            Problem(
                "control-char",
                display,
                f"control or bidirectional character U+{ord(bad.group()):04X} is not allowed",
                line,
                col,
                hint="delete it; use plain text",
            )
        )
    builder = _Builder(display)
    try:
        data = builder.build(yaml.parse(text, Loader=_Parser))
    except yaml.MarkedYAMLError as error:
        mark: Any = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = error.problem or "invalid YAML"
        raise LoadError(
            Problem("yaml-syntax", display, f"invalid YAML: {message}", line, col)
        ) from None
    except yaml.YAMLError as error:
        raise LoadError(Problem("yaml-syntax", display, f"invalid YAML: {error}")) from None
    return Document(display, data, builder.values, builder.keys, text)


def _position(event: Event) -> Position:
    mark: Any = event.start_mark
    return Position(mark.line + 1, mark.column + 1)


class _Builder:
    """Builds values from parse events, refusing everything a record never needs.

    Sequences become tuples: records are immutable, and pydantic's strict mode takes tuples.
    """

    def __init__(self, display: str) -> None:
        self.display = display
        self.values: dict[Loc, Position] = {}
        self.keys: dict[Loc, Position] = {}

    def _fail(self, code: str, message: str, event: Event, hint: str | None = None) -> LoadError:
        position = _position(event)
        return LoadError(Problem(code, self.display, message, position.line, position.col, hint))

    def build(self, events: Iterator[Event]) -> Any:
        data: Any = None
        documents = 0
        for event in events:
            if isinstance(event, StreamStartEvent | DocumentEndEvent | StreamEndEvent):
                continue
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self._fail(
                        "multiple-documents",
                        "a file holds one YAML document",
                        event,
                        "remove the `---` separator; one record per file",
                    )
                continue
            data = self._node(event, events, (), 0)
        return data

    def _node(self, event: Event, events: Iterator[Event], loc: Loc, depth: int) -> Any:
        if isinstance(event, AliasEvent):
            raise self._fail(
                "yaml-alias", "YAML aliases (*name) are not allowed", event, "write the value out"
            )
        if getattr(event, "anchor", None):
            raise self._fail(
                "yaml-alias", "YAML anchors (&name) are not allowed", event, "remove the anchor"
            )
        tag = getattr(event, "tag", None)
        if tag is not None and not (isinstance(event, ScalarEvent) and tag == "!"):
            raise self._fail(
                "yaml-tag",
                f"YAML tag {tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed",
                event,
                "remove the tag; records hold plain strings, numbers and lists",
            )
        if depth > MAX_DEPTH:
            raise self._fail("too-deep", f"nesting deeper than {MAX_DEPTH} levels", event)
        self.values[loc] = _position(event)
        if isinstance(event, ScalarEvent):
            return _scalar(event)
        if isinstance(event, SequenceStartEvent):
            items: list[Any] = []
            for child in events:
                if isinstance(child, SequenceEndEvent):
                    return tuple(items)
                items.append(self._node(child, events, (*loc, len(items)), depth + 1))
        if isinstance(event, MappingStartEvent):
            return self._mapping(events, loc, depth)
        raise self._fail("yaml-syntax", "unexpected YAML structure", event)  # pragma: no cover

    def _mapping(self, events: Iterator[Event], loc: Loc, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_event in events:
            if isinstance(key_event, MappingEndEvent):
                return mapping
            if not isinstance(key_event, ScalarEvent) or key_event.anchor or key_event.tag:
                raise self._fail("bad-key", "mapping keys must be plain names", key_event)
            key = key_event.value
            if key in mapping:
                first = self.keys[(*loc, key)]
                raise self._fail(
                    "duplicate-key",
                    f"key {key!r} appears twice (first at line {first.line})",
                    key_event,
                    "keep one of them",
                )
            self.keys[(*loc, key)] = _position(key_event)
            mapping[key] = self._node(next(events), events, (*loc, key), depth + 1)
        return mapping  # pragma: no cover


def _scalar(event: ScalarEvent) -> Any:
    if event.style or event.tag == "!":
        return event.value
    tag: str = _RESOLVER.resolve(ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    if tag == "tag:yaml.org,2002:str":
        return event.value
    node = ScalarNode(tag, event.value)
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if tag == "tag:yaml.org,2002:int":
        return _CONSTRUCTOR.construct_yaml_int(node)
    if tag == "tag:yaml.org,2002:float":
        return _CONSTRUCTOR.construct_yaml_float(node)
    if tag == "tag:yaml.org,2002:timestamp":
        return _CONSTRUCTOR.construct_yaml_timestamp(node)
    return event.value


@dataclass(frozen=True)
class Loaded:
    """Every document of a knowledge base, and the problems of the files that failed to load."""

    vocabularies: dict[str, Document]
    papers: list[Document]
    problems: list[Problem]


def read_tree(root: Path, vocabulary_names: list[str]) -> Loaded:
    """Load `taxonomy/<name>.yaml` for each vocabulary and every `papers/*.yaml` under `root`."""
    problems: list[Problem] = []
    vocabularies: dict[str, Document] = {}
    for name in vocabulary_names:
        path = root / "taxonomy" / f"{name}.yaml"
        if not path.is_file():
            continue
        try:
            vocabularies[name] = load_document(path, f"taxonomy/{name}.yaml")
        except LoadError as error:
            problems.append(error.problem)
    papers: list[Document] = []
    folder = root / "papers"
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        display = f"papers/{path.name}"
        if path.name.startswith("."):
            continue
        if path.suffix != ".yaml" or not path.is_file():
            problems.append(
                Problem(
                    "stray-file",
                    display,
                    "papers/ holds only record files named <id>.yaml",
                    hint=f"rename it to {path.stem}.yaml" if path.suffix == ".yml" else None,
                )
            )
            continue
        try:
            papers.append(load_document(path, display))
        except LoadError as error:
            problems.append(error.problem)
    return Loaded(vocabularies, papers, problems)
