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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from kb.latex import latex_escape
from kb.records import Paper
from kb.taxonomy import Taxonomy
from kb.validate import KnowledgeBase

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
    "related_work",
    "sentence_case",
]

Format = Literal["md", "tex"]

# NOTE: every ASCII punctuation mark that pandoc's Markdown could read as syntax (emphasis,
# links, citations, HTML, maths, tables, footnotes, attributes) is backslash-escaped; pandoc
# allows a backslash before any ASCII punctuation.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~^$@&])")
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-:])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"])")
_WHITESPACE = re.compile(r"\s+")
# Words that mark the sentence of a summary saying what the paper itself contributes.
_CONTRIBUTION = re.compile(
    r"\b(propos|introduc|present)\w*|\b(this|the) (paper|work|study)\b|\bthe authors\b",
    re.IGNORECASE,
)


def escape_markdown(text: str) -> str:
    """`text` as pandoc Markdown that shows exactly `text` (no links, HTML, maths or citations).

    >>> escape_markdown("a_b <script> [@x] 1. $y$")
    'a\\\\_b \\\\<script\\\\> \\\\[\\\\@x\\\\] 1. \\\\$y\\\\$'
    """
    text = _WHITESPACE.sub(" ", text)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
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
    found = [paper for paper in kb.papers.values() if leaf in paper.taxonomy]
    return sorted(found, key=lambda paper: (paper.year, paper.id))


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


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(_WHITESPACE.sub(" ", text)) if s.strip()]


def key_sentence(summary: str) -> str:
    """The summary sentence that names the paper's contribution, else its first sentence.

    >>> key_sentence("Attention is cheap. The authors propose X. It works.")
    'The authors propose X.'
    """
    sentences = _sentences(summary)
    for sentence in sentences:
        if _CONTRIBUTION.search(sentence):
            return sentence
    return sentences[0] if sentences else summary


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
    citation = mark.cite([paper.id])
    text = _with_citation(mark.text(key_sentence(paper.summary)), citation)
    finding = paper.findings[0].text
    return f"{text} They report that {mark.text(sentence_case(finding))}"


def family_paragraph(taxonomy: Taxonomy, family: Family, mark: Markup) -> str:
    """One paragraph: the family's name and description, then each paper's sentences."""
    method = taxonomy.methods.get(family.method)
    name = method.name if method else family.method
    lead = mark.bold(mark.text(f"{name}."))
    parts = [lead]
    if method is not None:
        parts.append(mark.text(method.description))
    parts += [paper_sentences(paper, mark) for paper in family.papers]
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
        lines += ["", family_paragraph(kb.taxonomy, family, mark)]
    return "\n".join(lines) + "\n"
