"""The generated survey, in LaTeX (natbib, compiles with `latexmk -pdf`) or pandoc Markdown.

The survey is built only from the knowledge base: a title, an abstract from the statistics, an
introduction, one section per perspective and one subsection per leaf (the leaf's description,
a comparison table, a discussion by method family from `kb.related_work`, strengths and
limitations), the gap analysis and the timeline of `kb.graph`, and the references. The
bibliography is written beside the text (`references.bib` for LaTeX, `references.json`, CSL-JSON,
for pandoc's citeproc), so the folder compiles as it is. The same knowledge base always gives
the same files: no dates, no randomness.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kb.core.records import Paper
from kb.core.validate import KnowledgeBase
from kb.export.bibtex import bibtex_library
from kb.export.csl import csl_json
from kb.export.latex import LATEX_PREAMBLE, latex_escape
from kb.export.related_work import (
    Format,
    Markup,
    families,
    family_paragraph,
    markup,
    papers_by_leaf,
    sentence_case,
)
from kb.graph.gaps import Gaps, gaps, timeline
from kb.graph.stats import Stats, compute_stats

__all__ = ["SURVEY_TITLE", "Survey", "cited_ids", "survey"]

SURVEY_TITLE = "Explainability and Interpretability of Multimodal Large Language Models"
_SUBTITLE = "A Survey Generated from the mllm-xai-kb Knowledge Base"


@dataclass(frozen=True)
class Survey:
    """The files of a survey: file name (relative to its folder) -> text."""

    main: str
    files: dict[str, str]


def _names(ids: Iterable[str], table: Mapping[str, object]) -> list[str]:
    out: list[str] = []
    for key in ids:
        entry = table.get(key)
        out.append(str(getattr(entry, "name", key)))
    return out


def _count_phrase(counter: dict[str, int], names: dict[str, str], limit: int) -> str:
    top = list(counter.items())[:limit]
    return ", ".join(f"{names.get(key, key)} ({count})" for key, count in top)


class _Writer:
    """Format-specific structure: headings, lists, tables, figures."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.mark: Markup = markup(fmt)
        self._names: dict[tuple[str, tuple[str, ...]], str] = {}

    def text(self, value: str) -> str:
        return self.mark.text(value)

    def names(self, kind: str, ids: tuple[str, ...], table: Mapping[str, object]) -> str:
        """The names of `ids` in `table` (`kind` names it), comma-separated and escaped.

        Escaped once per list: the same venues, methods, modalities and models recur in many
        of the comparison tables' rows.
        """
        key = (kind, ids)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = self.text(", ".join(_names(ids, table)))
        return found

    def cite(self, ids: Iterable[str]) -> str:
        return self.mark.cite(ids)

    def cite_text(self, key: str) -> str:
        """An in-text citation ("Huo et al. (2024)")."""
        return f"\\citet{{{key}}}" if self.fmt == "tex" else f"@{key}"

    def heading(self, level: int, title: str, label: str) -> str:
        if self.fmt == "md":
            return f"{'#' * level} {self.text(title)} {{#{label}}}"
        command = ["section", "subsection", "subsubsection"][level - 1]
        return f"\\{command}{{{self.text(title)}}}\\label{{{label}}}"

    def ref(self, label: str, kind: str, name: str = "") -> str:
        """A cross-reference ("Section 3"); Markdown links a heading by `name` instead."""
        if self.fmt == "tex":
            return f"{kind}~\\ref{{{label}}}"
        if kind == "Table":
            return "the table below"
        if kind == "Figure":
            return "[the timeline](#sec:timeline)"
        return f"[the {self.text(name)} section](#{label})"

    def paragraph_title(self, title: str) -> str:
        return self.mark.bold(self.text(title))

    def items(self, entries: list[str]) -> str:
        if self.fmt == "md":
            return "\n".join(f"- {entry}" for entry in entries)
        body = "\n".join(f"  \\item {entry}" for entry in entries)
        return f"\\begin{{itemize}}\n{body}\n\\end{{itemize}}"

    def table(
        self, label: str, caption: str, header: list[str], rows: list[list[str]], widths: list[str]
    ) -> str:
        """A table; cells are already escaped. `widths` are LaTeX column widths."""
        if self.fmt == "md":
            lines = [
                "| " + " | ".join(header) + " |",
                "|" + "|".join("---" for _ in header) + "|",
                *("| " + " | ".join(row) + " |" for row in rows),
            ]
            return "\n".join(lines) + f"\n\n: {caption}"
        spec = "".join(f">{{\\raggedright\\arraybackslash}}p{{{width}}}" for width in widths)
        head = " & ".join(f"\\textbf{{{cell}}}" for cell in header) + " \\\\"
        body = "\n".join(" & ".join(row) + " \\\\" for row in rows)
        return (
            "{\\small\n"
            f"\\begin{{longtable}}{{@{{}}{spec}@{{}}}}\n"
            f"\\caption{{{caption}}}\\label{{{label}}}\\\\\n"
            f"\\toprule\n{head}\n\\midrule\n\\endfirsthead\n"
            f"\\toprule\n{head}\n\\midrule\n\\endhead\n"
            "\\bottomrule\n\\endlastfoot\n"
            f"{body}\n\\end{{longtable}}\n}}"
        )


def cited_ids(text: str) -> set[str]:
    """The record ids a generated survey cites (natbib or pandoc citations)."""
    found: set[str] = set()
    for group in re.findall(r"\\cite[tp]?\{([^}]*)\}", text):
        found.update(key.strip() for key in group.split(","))
    found.update(re.findall(r"(?<![\w\\])@([a-z][a-z0-9]*)", text))
    return found


def _abstract(kb: KnowledgeBase, stats: Stats, out: _Writer) -> str:
    taxonomy = kb.taxonomy
    years = list(stats.years)
    method_names = {key: m.name for key, m in taxonomy.methods.items()}
    modality_names = {key: m.name for key, m in taxonomy.modalities.items()}
    perspectives = ", ".join(
        f"{count} on {taxonomy.perspectives[key].name.lower()}"
        for key, count in stats.perspectives.items()
    )
    models = {model for paper in kb.papers.values() for model in paper.models}
    span = f"from {years[0]} to {years[-1]}" if years else ""
    sentences = [
        f"This survey is generated from the mllm-xai-kb knowledge base, which holds "
        f"{stats.records} verified records of research on the explainability and "
        f"interpretability of multimodal large language models, published {span}.",
        f"Following the data, model and training-and-inference perspectives, it files "
        f"{perspectives} (by primary category) in {len(taxonomy.leaves)} categories.",
        f"The most used methods are {_count_phrase(stats.methods, method_names, 5)}; "
        f"the records study {len(models)} named models and "
        f"{_count_phrase(stats.modalities, modality_names, len(stats.modalities))} inputs.",
        "For every category we compare the work in a table, discuss it by method family with "
        "the records' own summaries and findings, and list strengths and limitations; a gap "
        "analysis names the categories, modalities and method properties with the least work.",
    ]
    return out.text(" ".join(sentences))


def _introduction(kb: KnowledgeBase, stats: Stats, out: _Writer) -> list[str]:
    taxonomy = kb.taxonomy
    anchor = "dang2024explainable"
    source = f" {out.cite([anchor])}" if anchor in kb.papers else ""
    first = out.text(
        "Multimodal large language models answer questions about images, video and audio, and "
        "explaining how they reach an answer is now a research area of its own. This text is a "
        "survey of that area written by a program: every sentence about a paper comes from a "
        "record of the mllm-xai-kb knowledge base, in which curators summarise the paper in "
        "their own words and verify each field against a named source. Edit it freely; "
        "regenerate it when the knowledge base grows."
    )
    second = (
        out.text(
            "The organisation follows the three perspectives of Dang et al., whose survey "
            "proposed this taxonomy"
        )
        + source
        + out.text(
            ". Each perspective below opens with its scope, and each category has a "
            "comparison table, a discussion grouped by method family, and the strengths and "
            "limitations that recur."
        )
    )
    overview = [
        out.mark.bold(out.text(f"{taxonomy.perspectives[key].name} ({count} records):"))
        + " "
        + out.text(taxonomy.perspectives[key].description)
        + out.text(" See ")
        + out.ref(f"sec:{key}", "Section", taxonomy.perspectives[key].name)
        + "."
        for key, count in stats.perspectives.items()
    ]
    closing = (
        out.text("The gap analysis in ")
        + out.ref("sec:gaps", "Section", "Gaps")
        + out.text(" and the timeline in ")
        + out.ref("fig:timeline", "Figure")
        + out.text(" show where work is still thin and how the field grew.")
    )
    return [
        out.heading(1, "Introduction", "sec:introduction"),
        first,
        second,
        out.items(overview),
        closing,
    ]


def _comparison_table(kb: KnowledgeBase, leaf: str, papers: list[Paper], out: _Writer) -> str:
    taxonomy = kb.taxonomy
    rows = [
        [
            out.cite_text(paper.id),
            out.text(taxonomy.venues[paper.venue].name),
            out.names("methods", paper.methods, taxonomy.methods),
            out.names("modalities", paper.modalities, taxonomy.modalities),
            out.names("models", paper.models, taxonomy.models) or out.text("-"),
        ]
        for paper in papers
    ]
    name = taxonomy.perspectives[leaf].name
    caption = out.text(f"Records filed under {name}: venue, methods, modalities and models.")
    return out.table(
        f"tab:{leaf}",
        caption,
        ["Paper", "Venue", "Methods", "Modalities", "Models"],
        rows,
        ["3.2cm", "1.8cm", "4.4cm", "2.0cm", "3.4cm"],
    )


def _strengths_limitations(kb: KnowledgeBase, papers: list[Paper], out: _Writer) -> list[str]:
    methods = Counter(paper.methods[0] for paper in papers)
    entries: list[str] = []
    for method_id, _ in sorted(methods.items(), key=lambda item: (-item[1], item[0])):
        method = kb.taxonomy.methods.get(method_id)
        if method is None:
            continue
        entries.append(
            out.mark.bold(out.text(f"{method.name}:"))
            + out.text(
                f" Strengths: {' '.join(method.strengths)} "
                f"Limitations: {' '.join(method.limitations)}"
            )
        )
    reported = "; ".join(
        f"{out.text(sentence_case(paper.limitations[0]).rstrip('.'))} {out.cite([paper.id])}"
        for paper in papers
    )
    return [
        out.paragraph_title("Strengths and limitations.")
        + out.text(" By primary method of the records in this category:"),
        out.items(entries),
        out.text("Limitations that the records themselves report include: ") + reported + ".",
    ]


def _leaf_section(kb: KnowledgeBase, leaf: str, papers: list[Paper], out: _Writer) -> list[str]:
    node = kb.taxonomy.perspectives[leaf]
    parts = [out.heading(2, node.name, f"sec:{leaf}"), out.text(node.description)]
    if not papers:
        parts.append(out.text("No record of the knowledge base is filed here yet."))
        return parts
    parts.append(
        out.text(f"{len(papers)} records are filed here; ")
        + out.ref(f"tab:{leaf}", "Table")
        + out.text(" compares them.")
    )
    parts.append(_comparison_table(kb, leaf, papers, out))
    parts.append(out.paragraph_title("Discussion by method family."))
    parts += [
        family_paragraph(kb.taxonomy, family, out.mark, kb)
        for family in families(kb.taxonomy, papers)
    ]
    parts += _strengths_limitations(kb, papers, out)
    return parts


def _perspective_sections(kb: KnowledgeBase, out: _Writer) -> list[str]:
    taxonomy = kb.taxonomy
    by_leaf = papers_by_leaf(kb)
    parts: list[str] = []
    for top in taxonomy.children(None):
        node = taxonomy.perspectives[top]
        parts += [out.heading(1, node.name, f"sec:{top}"), out.text(node.description)]
        for child in taxonomy.children(top):
            child_node = taxonomy.perspectives[child]
            if child not in taxonomy.leaves:
                parts.append(
                    out.paragraph_title(f"{child_node.name}.")
                    + " "
                    + out.text(child_node.description)
                )
        for leaf in taxonomy.leaves_under(top):
            parts += _leaf_section(kb, leaf, by_leaf.get(leaf, []), out)
    return parts


def _gap_section(kb: KnowledgeBase, out: _Writer) -> list[str]:
    found: Gaps = gaps(kb)
    taxonomy = kb.taxonomy
    parts = [
        out.heading(1, "Gaps", "sec:gaps"),
        out.text(
            "Counting the records of each category per modality, and per property of the "
            "methods they use (access, scope, stage, granularity), shows where the knowledge "
            "base, and perhaps the field, has little work. A record counts in every category, "
            "modality and property value it covers."
        ),
    ]
    matrix = found.matrices.get("modality")
    if matrix is not None:
        header = ["Category", *(out.text(taxonomy.modalities[c].name) for c in matrix.columns)]
        rows = [
            [out.text(taxonomy.perspectives[leaf].name)]
            + [str(matrix.counts[leaf][column]) for column in matrix.columns]
            for leaf in matrix.counts
        ]
        width = f"{max(1.0, 9.0 / max(len(matrix.columns), 1)):.1f}cm"
        parts.append(
            out.text("The records of each category are counted by modality in ")
            + out.ref("tab:gaps", "Table")
            + "."
        )
        parts.append(
            out.table(
                "tab:gaps",
                out.text("Records per category (rows) and modality (columns)."),
                header,
                rows,
                ["4.6cm", *(width for _ in matrix.columns)],
            )
        )
    if found.thinnest:
        parts.append(
            out.text(
                "The thinnest cells, fewest records first and, among equals, those that "
                "independence of the two axes would fill most:"
            )
        )
        parts.append(
            out.items(
                [
                    out.text(
                        f"{gap.text[:1].upper()}{gap.text[1:]} (about {gap.expected:.1f} expected)."
                    )
                    for gap in found.thinnest
                ]
            )
        )
    return parts


def _timeline_section(kb: KnowledgeBase, out: _Writer) -> list[str]:
    counts = timeline(kb)
    years = sorted({year for per_year in counts.values() for year in per_year})
    leaves = [leaf for leaf in kb.taxonomy.leaves if any(counts.get(leaf, {}).values())]
    totals = {year: sum(counts.get(leaf, {}).get(year, 0) for leaf in leaves) for year in years}
    parts = [out.heading(1, "Timeline", "sec:timeline")]
    parts.append(
        out.text("Records per category and year of the cited version, then all records per year.")
    )
    names = {leaf: kb.taxonomy.perspectives[leaf].name for leaf in leaves}
    if out.fmt == "md":
        header = ["Category", *(str(year) for year in years)]
        rows = [
            [out.text(names[leaf]), *(str(counts[leaf].get(year, 0) or "") for year in years)]
            for leaf in leaves
        ]
        rows.append(["**All**", *(f"**{totals[year]}**" for year in years)])
        parts.append(out.table("tbl:timeline", "Records per category and year.", header, rows, []))
        bars = [f"| {year} | {totals[year]} | {'█' * totals[year]} |" for year in years]
        parts.append("| Year | Records | |\n|---|---:|---|\n" + "\n".join(bars))
        return parts
    columns = "l" + "r" * len(years)
    head = " & ".join(["Category", *(str(year) for year in years)]) + " \\\\"
    body = "\n".join(
        " & ".join(
            [out.text(names[leaf]), *(str(counts[leaf].get(year, 0) or "") for year in years)]
        )
        + " \\\\"
        for leaf in leaves
    )
    total = " & ".join(["All", *(str(totals[year]) for year in years)]) + " \\\\"
    peak = max(totals.values(), default=1) or 1
    bar_rows = "\n".join(
        f"{year} & {totals[year]} & \\rule{{{6.0 * totals[year] / peak:.2f}cm}}{{1.2ex}} \\\\"
        for year in years
    )
    parts.append(
        "\\begin{figure}[htbp]\n\\centering\\small\n"
        f"\\begin{{tabular}}{{{columns}}}\n\\toprule\n{head}\n\\midrule\n{body}\n"
        f"\\midrule\n{total}\n\\bottomrule\n\\end{{tabular}}\n\n\\bigskip\n"
        f"\\begin{{tabular}}{{rrl}}\n\\toprule\nYear & Records & \\\\\n\\midrule\n{bar_rows}\n"
        "\\bottomrule\n\\end{tabular}\n"
        "\\caption{Records per category and year (top) and per year (bottom).}"
        "\\label{fig:timeline}\n\\end{figure}"
    )
    return parts


def _body(kb: KnowledgeBase, stats: Stats, out: _Writer) -> list[str]:
    return [
        *_introduction(kb, stats, out),
        *_perspective_sections(kb, out),
        *_gap_section(kb, out),
        *_timeline_section(kb, out),
    ]


def _tex(kb: KnowledgeBase) -> str:
    out = _Writer("tex")
    title = f"{latex_escape(SURVEY_TITLE)}\\\\[0.5ex]\\large {latex_escape(_SUBTITLE)}"
    preamble = (
        "\\documentclass[11pt,a4paper]{article}\n"
        f"{LATEX_PREAMBLE}"
        "\\usepackage[margin=2.5cm]{geometry}\n"
        "\\usepackage{array}\n\\usepackage{booktabs}\n\\usepackage{longtable}\n"
        "\\usepackage[authoryear,round]{natbib}\n"
        "\\usepackage[hidelinks]{hyperref}\n"
        f"\\title{{{title}}}\n"
        f"\\author{{Generated by \\texttt{{kb export survey}} from "
        f"{len(kb.papers)} records}}\n\\date{{}}\n"
    )
    stats = compute_stats(kb)
    head = (
        "% Generated by `kb export survey --format tex`; compile with latexmk -pdf.\n"
        f"{preamble}\\begin{{document}}\n\\maketitle\n\n"
        f"\\begin{{abstract}}\n{_abstract(kb, stats, out)}\n\\end{{abstract}}\n\n"
        "\\tableofcontents"
    )
    tail = "\\bibliographystyle{plainnat}\n\\bibliography{references}\n\\end{document}\n"
    return _document(head, _body(kb, stats, out), tail)


def _md(kb: KnowledgeBase) -> str:
    out = _Writer("md")
    stats = compute_stats(kb)
    abstract = _abstract(kb, stats, out)
    front = (
        "---\n"
        f'title: "{SURVEY_TITLE}"\n'
        f'subtitle: "{_SUBTITLE}"\n'
        "abstract: |\n"
        f"  {abstract}\n"
        "bibliography: references.json\n"
        "link-citations: true\n"
        "---\n"
    )
    head = (
        f"{front}\n<!-- Generated by `kb export survey --format md`; convert with pandoc "
        "--citeproc. -->"
    )
    return _document(
        head, _body(kb, stats, out), "# References {#references}\n\n::: {#refs}\n:::\n"
    )


def _document(head: str, body: list[str], tail: str) -> str:
    """The blocks of a document, separated by blank lines.

    NOTE: joined once: a large knowledge base's survey is hundreds of megabytes, and wrapping
    the joined body in the head and tail would copy it a second time.
    """
    return "\n\n".join([head, *body, tail])


def survey(kb: KnowledgeBase, fmt: Format, name: str = "survey") -> Survey:
    """The survey of `kb` and the files it needs beside it.

    Args:
        kb: the knowledge base (run on one without errors).
        fmt: "tex" (with `references.bib`) or "md" (with `references.json`).
        name: the stem of the main file.

    Returns:
        A `Survey` whose `files` map names (main file first) to text.
    """
    papers = list(kb.papers.values())
    if fmt == "tex":
        main = f"{name}.tex"
        files = {main: _tex(kb), "references.bib": bibtex_library(papers, kb.taxonomy, True)}
    else:
        main = f"{name}.md"
        files = {main: _md(kb), "references.json": csl_json(papers, kb.taxonomy) + "\n"}
    return Survey(main, files)
