"""The canonical text of a record or vocabulary: fixed key order, predictable quoting, folded
long text, prose lists in block style.

`kb fmt` writes it only when parsing it back gives the same record, so formatting can never
change or lose a value; files with comments are refused rather than silently stripped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import yaml
from pydantic import BaseModel
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from kb.core.load import LoadError, parse_text
from kb.core.problems import Problem
from kb.core.records import FIELD_ORDER, Paper

__all__ = [
    "SCHEMA_LINE",
    "WIDTH",
    "comment_lines",
    "format_fields",
    "format_paper",
    "format_vocabulary",
    "reformat",
    "reformat_vocabulary",
]

WIDTH = 100
_RESOLVER = Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_START = re.compile(r"^[A-Za-z0-9(\u00a0-\uffff]")
_ALWAYS_QUOTED = frozenset({"arxiv"})
_FOLDED_FIELDS = frozenset({"summary"})


def _plain(text: str, flow: bool) -> bool:
    """Whether `text` reads back unchanged as a plain YAML scalar."""
    if not text or text != text.strip() or not _PLAIN_START.match(text):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text or "\n" in text:
        return False
    if flow and any(char in text for char in ",[]{}"):
        return False
    tag: str = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR_TAG


def _quoted(text: str) -> str:
    # NOTE: a JSON string is a valid YAML double-quoted scalar with the same value.
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: Any, field: str = "", flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if field in _ALWAYS_QUOTED or not _plain(text, flow):
        return _quoted(text)
    return text


def _foldable(text: str) -> bool:
    """Whether folding at single spaces reads back as exactly `text`."""
    return (
        " " in text
        and text == text.strip()
        and "  " not in text
        and not re.search(r"\s", text.replace(" ", ""))
    )


def _folded(text: str, indent: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and indent + len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [" " * indent + item for item in lines]


def _text_lines(prefix: str, text: str, indent: int, fold: bool) -> list[str]:
    """`prefix` followed by `text`, as one line when it fits, else as a folded block."""
    single = prefix + _scalar(text)
    if (len(single) <= WIDTH and not fold) or not _foldable(text):
        return [single]
    return [prefix + ">-", *_folded(text, indent)]


# Lists of sentences stay block lists however short: a comma in a flow list splits an item.
_BLOCK_LISTS = frozenset({"strengths", "limitations", "findings"})


def _list_lines(key: str, items: tuple[Any, ...], indent: int) -> list[str]:
    pad = " " * indent
    if key not in _BLOCK_LISTS and all(isinstance(item, str) for item in items):
        flow = f"{pad}{key}: [{', '.join(_scalar(item, key, flow=True) for item in items)}]"
        if len(flow) <= WIDTH and all(len(item) < 40 for item in items):
            return [flow]
    lines = [f"{pad}{key}:"]
    for item in items:
        if isinstance(item, dict):
            body = _mapping_lines(item, indent + 4, list(item))
            lines.append(f"{pad}  - {body[0].lstrip()}")
            lines += body[1:]
        else:
            lines += _text_lines(f"{pad}  - ", item, indent + 4, fold=False)
    return lines


def _mapping_lines(
    data: dict[str, Any], indent: int, order: list[str], keep_empty: bool = False
) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key in order:
        value = data.get(key)
        if value is None or (value in ((), "", {}) and not keep_empty):
            continue
        if isinstance(value, dict):
            lines += _answer_lines(key, value, indent)
            continue
        if value == ():
            lines.append(f"{pad}{key}: []")
            continue
        if isinstance(value, tuple):
            lines += _list_lines(key, value, indent)
        elif isinstance(value, str):
            lines += _text_lines(f"{pad}{key}: ", value, indent + 2, key in _FOLDED_FIELDS)
        else:
            lines.append(f"{pad}{key}: {_scalar(value, key)}")
    return lines


def _answer_lines(key: str, answers: dict[str, Any], indent: int) -> list[str]:
    """Property answers by id: `id: value` alone, or a mapping when the answer has a `where`."""
    pad = " " * indent
    lines = [f"{pad}{key}:"]
    for name in sorted(answers):
        answer = answers[name]
        if answer.get("where") is None:
            lines.append(f"{pad}  {name}: {_scalar(answer['value'])}")
        else:
            lines.append(f"{pad}  {name}:")
            lines += _mapping_lines(answer, indent + 4, ["value", "where"])
    return lines


def format_paper(paper: Paper) -> str:
    """The canonical YAML text of `paper`."""
    return format_fields(paper.model_dump())


def format_fields(data: dict[str, Any], keep_empty: bool = False) -> str:
    """Record fields in canonical order; `keep_empty` writes `[]` and `""` for a draft to fill."""
    return "\n".join(_mapping_lines(data, 0, list(FIELD_ORDER), keep_empty)) + "\n"


def comment_lines(text: str) -> list[int]:
    """1-based lines that hold a YAML comment (a `#` outside every scalar)."""
    spans: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return []
    spans.sort()
    lines: list[int] = []
    for match in re.finditer(r"(?:^|(?<=\s))#", text):
        at = match.start()
        if not any(start <= at < end for start, end in spans):
            lines.append(text.count("\n", 0, at) + 1)
    return sorted(set(lines))


SCHEMA_LINE = "# yaml-language-server:"


def reformat(original: str, paper: Paper, model: type[Paper], display: str) -> str | Problem | None:
    """The canonical text for a file, None when it is already canonical, or why it cannot be.

    A first line `# yaml-language-server: $schema=...` (the editor's schema link) is kept; any
    other comment makes the file refused, since the canonical form has nowhere to keep it.
    """
    first = original.split("\n", 1)[0]
    header = first + "\n" if first.startswith(SCHEMA_LINE) else ""
    text = header + format_paper(paper)
    if text == original:
        return None
    comments = [line for line in comment_lines(original) if not (header and line == 1)]
    if comments:
        return Problem(
            "fmt-comment",
            display,
            f"kb fmt would drop the comment on line {comments[0]}",
            comments[0],
            hint="records keep no comments: move the note into a field or delete it",
        )
    try:
        again = model.model_validate(parse_text(text, display).data)
    except (LoadError, ValueError):
        again = None
    if again is None or again.model_dump() != paper.model_dump():
        return Problem(
            "fmt-roundtrip",
            display,
            "the canonical form would not read back as the same record; file left untouched",
            hint="this is a bug in kb fmt; please report it",
        )
    return text


# --- vocabularies ----------------------------------------------------------------------------


def _entry_lines(data: dict[str, Any], indent: int) -> list[str]:
    """A vocabulary entry's fields in the model's order, nested values indented below them."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        if value is None or value in ((), "", {}):
            continue
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines += _entry_lines(value, indent + 2)
        elif isinstance(value, tuple) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{pad}{key}:")
            for item in value:
                body = _entry_lines(item, indent + 4)
                lines.append(f"{pad}  - {body[0].lstrip()}")
                lines += body[1:]
        elif isinstance(value, tuple):
            lines += _list_lines(key, value, indent)
        elif isinstance(value, str):
            lines += _text_lines(f"{pad}{key}: ", value, indent + 2, fold=False)
        else:
            lines.append(f"{pad}{key}: {_scalar(value, key)}")
    return lines


def format_vocabulary(entries: Iterable[BaseModel]) -> str:
    """The canonical YAML text of a vocabulary file's entries (without its header comment)."""
    lines: list[str] = []
    for entry in entries:
        body = _entry_lines(entry.model_dump(exclude_defaults=True), 2)
        lines.append(f"- {body[0].lstrip()}")
        lines += body[1:]
    return "\n".join(lines) + "\n"


def _header(text: str) -> str:
    """The comment lines a vocabulary file opens with, kept as they are."""
    kept: list[str] = []
    for line in text.split("\n"):
        if not line.startswith("#"):
            break
        kept.append(line + "\n")
    return "".join(kept)


def reformat_vocabulary(
    original: str, entries: list[BaseModel], model: type[BaseModel], display: str
) -> str | Problem | None:
    """`reformat` for a vocabulary file: the canonical text, None when the file already is,
    or why it cannot be. The comment block at the top of the file is kept."""
    header = _header(original)
    text = header + format_vocabulary(entries)
    if text == original:
        return None
    skip = header.count("\n")
    comments = [line for line in comment_lines(original) if line > skip]
    if comments:
        return Problem(
            "fmt-comment",
            display,
            f"kb fmt would drop the comment on line {comments[0]}",
            comments[0],
            hint="vocabularies keep comments only at the top of the file",
        )
    try:
        again = [model.model_validate(item) for item in parse_text(text, display).data]
    except (LoadError, ValueError, TypeError):
        again = []
    if [e.model_dump() for e in again] != [e.model_dump() for e in entries]:
        return Problem(
            "fmt-roundtrip",
            display,
            "the canonical form would not read back as the same entries; file left untouched",
            hint="this is a bug in kb fmt; please report it",
        )
    return text
