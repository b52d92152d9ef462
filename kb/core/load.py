"""Stage 1: read YAML files into plain values, remembering where every key and value stands.

The parser and composer are PyYAML's (libyaml's when present); values are built here from the
composed nodes instead of PyYAML's constructor, so that aliases, tags, duplicate keys and deep
nesting are refused, nothing but plain data is ever constructed, and every value keeps its line
and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kb.core.problems import Loc, Position, Problem, Severity

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
_CONSTRUCTOR = SafeConstructor()
# NOTE: C0/C1 controls (tab and newline excepted) and Unicode bidi overrides can hide text from
# reviewers ("Trojan Source"); none has a place in a record. The non-characters U+FFFE and
# U+FFFF pass YAML's escapes ("\uFFFE") but no XML (GraphML) can hold them.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufffe\uffff]"
)


def _forbidden(char: str) -> str:
    """The message for a forbidden character."""
    kind = "non-character" if char in "\ufffe\uffff" else "control or bidirectional character"
    return f"{kind} U+{ord(char):04X} is not allowed"


@dataclass(frozen=True)
class Document:
    """A parsed file: its data and the position of every value and mapping key, by path."""

    path: str
    data: Any
    values: dict[Loc, int] = field(default_factory=dict)
    keys: dict[Loc, int] = field(default_factory=dict)
    flow: frozenset[Loc] = frozenset()

    def position(self, loc: Loc) -> Position:
        """Where `loc` stands, falling back to its nearest located parent."""
        for end in range(len(loc), -1, -1):
            found = self.values.get(loc[:end])
            if found is not None:
                return _unpack(found)
        return Position()

    def key_position(self, loc: Loc) -> Position:
        """Where the key of `loc` stands (for unknown or misplaced keys)."""
        found = self.keys.get(loc)
        return _unpack(found) if found is not None else self.position(loc)

    def problem(
        self,
        loc: Loc,
        code: str,
        message: str,
        hint: str | None = None,
        severity: Severity = "error",
        at_key: bool = False,
    ) -> Problem:
        """A problem of this file located at the value of `loc` (or at its key)."""
        line, col = self.key_position(loc) if at_key else self.position(loc)
        return Problem(code, self.path, message, line, col, hint, severity, loc)


class LoadError(Exception):
    """A file that cannot be turned into data; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def load_document(path: Path, display: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read and parse one file; raise `LoadError` with a located problem when it is unusable."""
    return parse_bytes(read_limited(path, display, max_bytes), display, max_bytes)


def read_limited(path: Path, display: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes; an oversize file is refused before it is read."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise _too_large(display, size, max_bytes)
            # NOTE: read() sized by fstat, not read(max_bytes + 1), which would allocate a
            # 1 MB buffer for every 4 KB record; the slice guards a file that grew meanwhile.
            return handle.read()[: max_bytes + 1]
    except OSError as error:
        raise LoadError(
            Problem("unreadable", display, f"cannot read file: {error.strerror}")
        ) from None


def parse_bytes(raw: bytes, display: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Parse a file's bytes: size, encoding and YAML checks, then `parse_text`."""
    if len(raw) > max_bytes:
        raise _too_large(display, len(raw), max_bytes)
    return parse_text(_decode(raw, display), display)


def _too_large(display: str, size: int, limit: int) -> LoadError:
    return LoadError(
        Problem(
            "file-too-large",
            display,
            f"file is {size:,} bytes; the limit is {limit:,}",
            hint="a record is a few kilobytes; is this the right file?",
        )
    )


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
                _forbidden(bad.group()),
                line,
                col,
                hint="delete it; use plain text",
            )
        )
    _check_nesting(text, display)
    builder = _Builder(display)
    try:
        data = builder.build(yaml.compose(text, Loader=_Parser))
    except yaml.MarkedYAMLError as error:
        mark: Any = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = error.problem or "invalid YAML"
        if "single document" in f"{error.context} {message}":
            raise LoadError(
                Problem(
                    "multiple-documents",
                    display,
                    "a file holds one YAML document",
                    line,
                    col,
                    "remove the `---` separator; one record per file",
                )
            ) from None
        raise LoadError(
            Problem("yaml-syntax", display, f"invalid YAML: {message}", line, col)
        ) from None
    except yaml.YAMLError as error:
        raise LoadError(Problem("yaml-syntax", display, f"invalid YAML: {error}")) from None
    return Document(display, data, builder.values, builder.keys, frozenset(builder.flow))


# The characters that can open a collection: their count bounds how deep a file can nest.
_WITHOUT_OPENERS = str.maketrans("", "", "[{-:?")
MAX_OPENERS = 5_000


def _check_nesting(text: str, display: str) -> None:
    """Refuse text that could nest too deeply before the C composer recurses into it.

    NOTE: libyaml's composer recurses once per nesting level in C and crashes the interpreter
    on very deep input (seen at 100,000 levels); counting the characters that can open a
    collection is a cheap, sound bound on depth, far above what any record needs.
    """
    openers = len(text) - len(text.translate(_WITHOUT_OPENERS))
    if openers > MAX_OPENERS:
        raise LoadError(
            Problem(
                "too-deep",
                display,
                f"{openers:,} places where a list or mapping may open; at most {MAX_OPENERS:,} "
                "are read",
                hint="a record is a flat mapping of short lists",
            )
        )


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)


def _position(node: Node) -> Position:
    mark: Any = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


def _packed(node: Node) -> int:
    # NOTE: one int per value instead of a tuple: a large knowledge base holds millions of them.
    mark: Any = node.start_mark
    packed: int = (mark.line << 24) | mark.column
    return packed


def _unpack(packed: int) -> Position:
    return Position((packed >> 24) + 1, (packed & 0xFFFFFF) + 1)


class _Builder:
    """Builds values from composed nodes, refusing everything a record never needs.

    Sequences become tuples: records are immutable, and pydantic's strict mode takes tuples.
    """

    def __init__(self, display: str) -> None:
        self.display = display
        self.values: dict[Loc, int] = {}
        self.keys: dict[Loc, int] = {}
        self.flow: set[Loc] = set()
        self._seen: set[int] = set()

    def _fail(self, code: str, message: str, node: Node, hint: str | None = None) -> LoadError:
        position = _position(node)
        return LoadError(Problem(code, self.display, message, position.line, position.col, hint))

    def build(self, root: Node | None) -> Any:
        return None if root is None else self._node(root, (), 0)

    def _node(self, node: Node, loc: Loc, depth: int) -> Any:
        if id(node) in self._seen:
            key = self.keys.get(loc)
            position = _unpack(key) if key is not None else _position(node)
            raise LoadError(
                Problem(
                    "yaml-alias",
                    self.display,
                    "YAML aliases (*name) are not allowed",
                    position.line,
                    position.col,
                    "write the value out",
                )
            )
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self._fail("too-deep", f"nesting deeper than {MAX_DEPTH} levels", node)
        self.values[loc] = _packed(node)
        tag = node.tag
        if isinstance(node, ScalarNode) and tag == _STR:
            return self._text(node)
        if isinstance(node, ScalarNode) and tag in _SCALAR_TAGS:
            return _scalar(node)
        if isinstance(node, SequenceNode) and tag == _SEQ:
            if node.flow_style:
                self.flow.add(loc)
            return tuple(
                self._node(child, (*loc, index), depth + 1)
                for index, child in enumerate(node.value)
            )
        if isinstance(node, MappingNode) and tag == _MAP:
            return self._mapping(node, loc, depth)
        raise self._fail(
            "yaml-tag",
            f"YAML tag {tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed",
            node,
            "remove the tag; records hold plain strings, numbers and lists",
        )

    def _text(self, node: ScalarNode) -> str:
        value: str = node.value
        bad = _FORBIDDEN_CHARS.search(value)
        if bad:
            # NOTE: an escape such as "\u202e" in a quoted string smuggles past the check of
            # the raw text; the decoded value is checked too.
            raise self._fail(
                "control-char",
                _forbidden(bad.group()),
                node,
                "delete it; use plain text",
            )
        return value

    def _mapping(self, node: MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                raise self._fail("bad-key", "mapping keys must be plain names", key_node)
            key = key_node.value
            if key in mapping:
                first = _unpack(self.keys[(*loc, key)])
                raise self._fail(
                    "duplicate-key",
                    f"key {key!r} appears twice (first at line {first.line})",
                    key_node,
                    "keep one of them",
                )
            self.keys[(*loc, key)] = _packed(key_node)
            mapping[key] = self._node(value_node, (*loc, key), depth + 1)
        return mapping


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if tag == "tag:yaml.org,2002:int":
        return _CONSTRUCTOR.construct_yaml_int(node)
    if tag == "tag:yaml.org,2002:float":
        return _CONSTRUCTOR.construct_yaml_float(node)
    return _CONSTRUCTOR.construct_yaml_timestamp(node)


@dataclass(frozen=True)
class Loaded:
    """Every document of a knowledge base, and the problems of the files that failed to load."""

    vocabularies: dict[str, Document]
    papers: list[Document]
    problems: list[Problem]


def paper_files(root: Path) -> tuple[list[str], list[Problem]]:
    """Paths (relative to `root`) of the record files in papers/, and files that do not belong."""
    displays: list[str] = []
    problems: list[Problem] = []
    folder = root / "papers"
    if not folder.is_dir():
        return displays, problems
    # NOTE: scandir gives names and file types without a stat per file, and sorting plain
    # strings is several times cheaper than sorting Path objects: this runs on every validate.
    with os.scandir(folder) as entries:
        found = sorted((entry.name, entry.is_file()) for entry in entries)
    for name, is_file in found:
        if name.startswith("."):
            continue
        display = f"papers/{name}"
        if not name.endswith(".yaml") or not is_file:
            stem, _, suffix = name.rpartition(".")
            problems.append(
                Problem(
                    "stray-file",
                    display,
                    "papers/ holds only record files named <id>.yaml",
                    hint=f"rename it to {stem}.yaml" if suffix == "yml" and stem else None,
                )
            )
            continue
        displays.append(display)
    return displays, problems


def read_tree(root: Path, vocabulary_names: list[str], papers: bool = True) -> Loaded:
    """Load `taxonomy/<name>.yaml` for each vocabulary and (unless not `papers`) every record."""
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
    documents: list[Document] = []
    displays, stray = paper_files(root) if papers else ([], [])
    problems += stray
    for display in displays:
        try:
            documents.append(load_document(root / display, display))
        except LoadError as error:
            problems.append(error.problem)
    return Loaded(vocabularies, documents, problems)
