"""Ready-to-edit related-work paragraphs for one category, built from the records' own words.

Papers filed under the category are grouped by method family (the root of their primary
method's `extends` lineage in taxonomy/methods.yaml). Each family becomes one paragraph: the
family's description, then per paper (oldest first) the summary sentence that says what the
paper does, a key finding, and a citation of the record's id (`\\citep{id}` in LaTeX, `[@id]`
in pandoc Markdown). Nothing outside the knowledge base is cited, and the same knowledge base
always gives the same text.
"""

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
    "Family",
    "Format",
    "Markup",
    "escape_markdown",
    "families",
    "key_sentence",
    "leaf_papers",
    "markup",
    "method_family",
    "papers_by_leaf",
    "related_work",
    "sentence_case",
]

Format = Literal["md", "tex"]

# NOTE: every ASCII punctuation mark that pandoc's Markdown could read as syntax (emphasis,
# links, citations, HTML, maths, tables, footnotes, attributes) is backslash-escaped; pandoc
# allows a backslash before any ASCII punctuation.
_MARKDOWN_TABLE = {ord(char): f"\\{char}" for char in "\\`*_{}[]<>#+!|~^$@&"}
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-:])")
# NOTE: matched in text whose whitespace `_squash` has made single spaces; the split falls
# after the punctuation mark and drops the space.
_SENTENCE_END = re.compile(r"[.!?] (?=[A-Z0-9\"])")
# Words that mark the sentence of a summary saying what the paper itself contributes.
_CONTRIBUTION = re.compile(
    r"\b(propos|introduc|present)\w*|\b(this|the) (paper|work|study)\b|\bthe authors\b",
    re.IGNORECASE,
)
# In an ASCII text, lowercased and with every other character than a letter, digit or "_"
# made a space, each match of `_CONTRIBUTION` leaves one of these.
_CONTRIBUTION_WORDS = (
    " propos",
    " introduc",
    " present",
    " paper ",
    " work ",
    " study ",
    " authors ",
)
_ID = attrgetter("id")
_YEAR = attrgetter("year")
_NON_WORD = {code: " " for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")}


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


def _tex_cite(ids: Iterable[str]) -> str:
    return f"\\citep{{{','.join(ids)}}}"


def _md_cite(ids: Iterable[str]) -> str:
    return "[" + "; ".join(f"@{key}" for key in ids) + "]"


_MARKUPS: dict[str, Markup] = {
    "tex": Markup(latex_escape, _tex_cite, lambda s: f"\\textbf{{{s}}}"),
    "md": Markup(escape_markdown, _md_cite, lambda s: f"**{s}**"),
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


@dataclass(frozen=True)
class Family:
    """A method family and the papers of one category whose primary method belongs to it."""

    method: str
    papers: tuple[Paper, ...]


def families(taxonomy: Taxonomy, papers: Iterable[Paper]) -> list[Family]:
    """Papers grouped by the family of their primary method; largest family first, then by id."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(method_family(taxonomy, paper.methods[0]), []).append(paper)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [Family(method, tuple(members)) for method, members in ordered]


def _sentences(flat: str) -> list[str]:
    """The sentences of `flat`, a text with single spaces (see `_squash`)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(flat):
        pieces.append(flat[start : match.start() + 1])
        start = match.end()
    pieces.append(flat[start:])
    return [s.strip() for s in pieces if s.strip()]


def _first_sentence(flat: str) -> str:
    """The first of `_sentences(flat)`, or "" if there is none, without splitting the rest."""
    end = _SENTENCE_END.search(flat)
    return (flat if end is None else flat[: end.start() + 1]).strip()


def _may_name_contribution(text: str) -> bool:
    """False only if `_CONTRIBUTION` matches nowhere in `text`.

    A cheap test that spares most summaries the regular expression, otherwise the slowest step
    of a related-work text. NOTE: made only for ASCII text, where ignoring case means ASCII
    case alone and `\\w` is `[A-Za-z0-9_]`.
    """
    if not text.isascii():
        return True
    words = f" {text.lower().translate(_NON_WORD)} "
    return any(word in words for word in _CONTRIBUTION_WORDS)


def key_sentence(summary: str) -> str:
    """The summary sentence that names the paper's contribution, else its first sentence.

    >>> key_sentence("Attention is cheap. The authors propose X. It works.")
    'The authors propose X.'
    """
    flat = _squash(summary)
    if _may_name_contribution(summary):
        for sentence in _sentences(flat):
            if _CONTRIBUTION.search(sentence):
                return sentence
    return _first_sentence(flat) or summary


def sentence_case(text: str) -> str:
    """`text` with its first letter lowercased when the first word is an ordinary word.

    Words with another capital, a digit or of one letter (`LLaVA`, `GPT-4`, `I`) stay as they
    are, so a finding can follow "they report that".

    >>> sentence_case("Translators help."), sentence_case("LLaVA fails."), sentence_case("A b")
    ('translators help.', 'LLaVA fails.', 'a b')
    """
    first = text.split(" ", 1)[0]
    rest = first[1:]
    ordinary = not any(char.isupper() or char.isdigit() for char in rest)
    if len(first) > 1 and first[0].isupper() and ordinary:
        return text[0].lower() + text[1:]
    if first == "A":
        return "a" + text[1:]
    return text


def _with_citation(sentence: str, citation: str) -> str:
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    body = body[:-1] if body and body[-1] in ".!?" else body
    return f"{body} {citation}{end}"


def paper_sentences(paper: Paper, mark: Markup) -> str:
    """What a paper does and finds, in its record's words, with citations."""
    return _write_sentences(paper.id, _plain_sentences(paper), mark)


def _plain_sentences(paper: Paper) -> tuple[str, str]:
    """The summary's key sentence and the first finding, ready to follow "they report that"."""
    return key_sentence(paper.summary), sentence_case(paper.findings[0].text)


def _write_sentences(paper_id: str, plain: tuple[str, str], mark: Markup) -> str:
    text = _with_citation(mark.text(plain[0]), mark.cite([paper_id]))
    return f"{text} They report that {mark.text(plain[1])}"


class _Memo:
    """What the texts of one knowledge base share: records by category, each record's sentences.

    Every category a record is filed under, in both formats, and the survey repeat a record's
    sentences, and choosing them is the slow part (escaping is fast); each category's text
    would otherwise scan every record. NOTE: both depend only on the records, frozen models,
    so they are used only for the very `Paper` objects they were made from: a record replaced
    in `kb.papers` is grouped and written anew, never from stale values.
    """

    # NOTE: each value is stored with what it was made from, in one assignment, so that even
    # threads sharing a knowledge base can never pair a value with other records.
    def __init__(self) -> None:
        self._grouped: tuple[tuple[Paper, ...], dict[str, list[Paper]]] = ((), {})
        self._plain: dict[str, tuple[Paper, tuple[str, str]]] = {}

    def by_leaf(self, kb: KnowledgeBase) -> dict[str, list[Paper]]:
        """Records by category, grouped again only when `kb.papers` holds other records."""
        records = tuple(kb.papers.values())
        grouped = self._grouped
        if records != grouped[0]:
            grouped = self._grouped = (records, _group_by_leaf(records))
        return grouped[1]

    def sentences(self, paper: Paper, mark: Markup) -> str:
        """`paper_sentences(paper, mark)`."""
        entry = self._plain.get(paper.id)
        if entry is None or entry[0] is not paper:
            entry = self._plain[paper.id] = (paper, _plain_sentences(paper))
        return _write_sentences(paper.id, entry[1], mark)


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


def family_paragraph(
    taxonomy: Taxonomy, family: Family, mark: Markup, kb: KnowledgeBase | None = None
) -> str:
    """One paragraph: the family's name and description, then each paper's sentences.

    With `kb`, the knowledge base the papers come from, each paper's sentences are chosen once
    and reused by every category it is filed under, every format and the survey.
    """
    method = taxonomy.methods.get(family.method)
    name = method.name if method else family.method
    lead = mark.bold(mark.text(f"{name}."))
    parts = [lead]
    if method is not None:
        parts.append(mark.text(method.description))
    if kb is None:
        parts += [paper_sentences(paper, mark) for paper in family.papers]
    else:
        memo = _memo(kb)
        parts += [memo.sentences(paper, mark) for paper in family.papers]
    return " ".join(parts)


def related_work(kb: KnowledgeBase, leaf: str, fmt: Format = "md") -> str:
    """Related-work paragraphs for `leaf`: an opening from its description, one per family.

    Args:
        kb: the knowledge base.
        leaf: a leaf id of taxonomy/perspectives.yaml.
        fmt: "md" for pandoc Markdown (`[@id]`), "tex" for LaTeX with natbib (`\\citep{id}`).

    Returns:
        The text, paragraphs separated by blank lines, ending in a newline.
    """
    mark = markup(fmt)
    node = kb.taxonomy.perspectives[leaf]
    papers = leaf_papers(kb, leaf)
    heading = f"Related work: {node.name}"
    head = f"## {mark.text(heading)}" if fmt == "md" else f"\\section*{{{mark.text(heading)}}}"
    comment = "<!-- {} -->" if fmt == "md" else "% {}"
    lines = [
        comment.format(f"Generated by `kb export related-work --category {leaf}`; edit freely."),
        "",
        head,
        "",
        mark.text(node.description),
    ]
    if not papers:
        lines += ["", mark.text(f"No record of the knowledge base is filed under {leaf} yet.")]
    for family in families(kb.taxonomy, papers):
        lines += ["", family_paragraph(kb.taxonomy, family, mark, kb)]
    return "\n".join(lines) + "\n"
