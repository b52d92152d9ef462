"""Shared pieces of the prose exports: escaping and citations per output format (`Markup`),
records grouped by category, and method lineage roots. The text itself is written by
`kb.export.synthesis` (related work, the survey's discussion)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Literal

from kb.core.records import Paper
from kb.core.taxonomy import Taxonomy
from kb.core.validate import KnowledgeBase
from kb.export.latex import latex_escape

__all__ = [
    "Format",
    "Markup",
    "escape_markdown",
    "leaf_papers",
    "markup",
    "method_family",
    "papers_by_leaf",
]

Format = Literal["md", "tex"]

# NOTE: every ASCII punctuation mark that pandoc's Markdown could read as syntax (emphasis,
# links, citations, HTML, maths, tables, footnotes, attributes) is backslash-escaped; pandoc
# allows a backslash before any ASCII punctuation.
_MARKDOWN_TABLE = {ord(char): f"\\{char}" for char in "\\`*_{}[]<>#+!|~^$@&"}
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-:])")
_ID = attrgetter("id")
_YEAR = attrgetter("year")


def _squash(text: str) -> str:
    """`text` with each run of whitespace made one space, as `re.sub(r"\\s+", " ", text)`.

    NOTE: `str.split` and the regular expression `\\s` agree on what whitespace is (a test
    checks every code point); splitting is several times faster than the substitution.
    """
    if text.isprintable() and "  " not in text:
        return text  # NOTE: every whitespace character but the space is unprintable.
    words = text.split()
    if not words:
        return " " if text else ""
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() else ""
    return f"{lead}{' '.join(words)}{trail}"


def escape_markdown(text: str) -> str:
    """`text` as pandoc Markdown that shows exactly `text` (no links, HTML, maths or citations).

    >>> escape_markdown("a_b <script> [@x] 1. $y$")
    'a\\\\_b \\\\<script\\\\> \\\\[\\\\@x\\\\] 1. \\\\$y\\\\$'
    """
    text = _squash(text).translate(_MARKDOWN_TABLE)
    return _LINE_START.sub(
        lambda m: (
            f"{m.group(1)}{m.group(2)}\\{m.group(3)}"
            if m.group(2)
            else f"{m.group(4)}\\{m.group(5)}"
        ),
        text,
    )


@dataclass(frozen=True)
class Markup:
    """How one output format writes escaped text, citations and emphasis."""

    text: Callable[[str], str]
    cite: Callable[[Iterable[str]], str]
    bold: Callable[[str], str]
    cite_text: Callable[[Iterable[str]], str]


def _tex_cite(ids: Iterable[str]) -> str:
    return f"\\citep{{{','.join(ids)}}}"


def _md_cite(ids: Iterable[str]) -> str:
    return "[" + "; ".join(f"@{key}" for key in ids) + "]"


def _tex_cite_text(ids: Iterable[str]) -> str:
    return f"\\citet{{{','.join(ids)}}}"


def _md_cite_text(ids: Iterable[str]) -> str:
    keys = [f"@{key}" for key in ids]
    return keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]


_MARKUPS: dict[str, Markup] = {
    "tex": Markup(latex_escape, _tex_cite, lambda s: f"\\textbf{{{s}}}", _tex_cite_text),
    "md": Markup(escape_markdown, _md_cite, lambda s: f"**{s}**", _md_cite_text),
}


def markup(fmt: Format) -> Markup:
    """The `Markup` of an output format."""
    return _MARKUPS[fmt]


def method_family(taxonomy: Taxonomy, method: str) -> str:
    """The root of a method's lineage: follow the first `extends` link until there is none."""
    seen = {method}
    node = taxonomy.methods.get(method)
    while node is not None and node.extends and node.extends[0] not in seen:
        seen.add(node.extends[0])
        parent = taxonomy.methods.get(node.extends[0])
        if parent is None:
            break
        node = parent
    return node.id if node is not None else method


def leaf_papers(kb: KnowledgeBase, leaf: str) -> list[Paper]:
    """Records filed under `leaf` (as primary or secondary category), oldest first, then by id."""
    return list(_memo(kb).by_leaf(kb).get(leaf, ()))


def papers_by_leaf(kb: KnowledgeBase) -> dict[str, list[Paper]]:
    """`leaf_papers` of every category with records."""
    return {leaf: list(papers) for leaf, papers in _memo(kb).by_leaf(kb).items()}


def _group_by_leaf(papers: Iterable[Paper]) -> dict[str, list[Paper]]:
    """`papers_by_leaf` in one pass: a text per category would otherwise scan every record."""
    found: dict[str, list[Paper]] = {}
    for paper in papers:
        for leaf in set(paper.taxonomy):
            found.setdefault(leaf, []).append(paper)
    return {leaf: _by_age(members) for leaf, members in found.items()}


def _by_age(papers: list[Paper]) -> list[Paper]:
    """`papers` oldest first, then by id.

    NOTE: two stable sorts rather than one on (year, id): a key tuple per record is a
    container the garbage collector counts, and in a process holding a large knowledge base
    each full collection it brings on costs more than the sorting.
    """
    return sorted(sorted(papers, key=_ID), key=_YEAR)


class _Memo:
    """The records of one knowledge base by category, shared by every text made from it.

    Each category's text would otherwise scan every record. NOTE: the grouping depends only
    on the records, frozen models, so it is used only for the very `Paper` objects it was made
    from: a record replaced in `kb.papers` is grouped anew, never from stale values.
    """

    # NOTE: each value is stored with what it was made from, in one assignment, so that even
    # threads sharing a knowledge base can never pair a value with other records.
    def __init__(self) -> None:
        self._grouped: tuple[tuple[Paper, ...], dict[str, list[Paper]]] = ((), {})

    def by_leaf(self, kb: KnowledgeBase) -> dict[str, list[Paper]]:
        """Records by category, grouped again only when `kb.papers` holds other records."""
        records = tuple(kb.papers.values())
        grouped = self._grouped
        if records != grouped[0]:
            grouped = self._grouped = (records, _group_by_leaf(records))
        return grouped[1]


_MEMOS: dict[int, tuple[weakref.ref[KnowledgeBase], _Memo]] = {}


def _memo(kb: KnowledgeBase) -> _Memo:
    """The memo of `kb`, dropped when `kb` is.

    NOTE: keyed by identity, since a KnowledgeBase compares by value (and, holding dicts,
    cannot be hashed). Each lookup checks the weak reference, so a knowledge base made at a
    recycled address never gets another's memo.
    """
    key = id(kb)
    entry = _MEMOS.get(key)
    if entry is not None and entry[0]() is kb:
        return entry[1]
    memo = _Memo()
    _MEMOS[key] = (weakref.ref(kb, lambda _: _MEMOS.pop(key, None)), memo)
    return memo
