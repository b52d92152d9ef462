"""The generated survey, in LaTeX (natbib, compiles with `latexmk -pdf`) or pandoc Markdown.

The survey is built only from the knowledge base: a title, an abstract from the statistics, an
introduction (opened by the curators' overview in taxonomy/survey.yaml), one section per
perspective and one subsection per leaf (the curators' overview, a comparison table, and a
discussion from `kb.export.synthesis`: method by method, relations, trade-offs, results), the
gap analysis, the open problems and the timeline, and the references. The bibliography is written
beside the text (`references-<digest>.bib` for LaTeX, `references-<digest>.json`, CSL-JSON, for
pandoc's citeproc), so the folder compiles as it is. The same knowledge base always gives the same
files: no dates, no randomness.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kb.core.records import Paper
from kb.core.validate import KnowledgeBase
from kb.export.bibtex import bibtex_library
from kb.export.csl import csl_json
from kb.export.latex import LATEX_PREAMBLE, latex_escape
from kb.export.related_work import Format, Markup, markup, papers_by_leaf
from kb.export.synthesis import Said, discussion, open_problems, overview_text
from kb.graph.gaps import Gaps, gaps, timeline
from kb.graph.stats import Stats, compute_stats

__all__ = ["REFERENCES", "SURVEY_TITLE", "Survey", "cited_ids", "survey"]

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
        self,
        label: str,
        caption: str,
        header: list[str],
        rows: list[list[str]],
        widths: list[float],
    ) -> str:
        """A table; cells are already escaped. `widths` are shares of the line width (summing
        to at most 1), so the table never runs into the margin."""
        if self.fmt == "md":
            lines = [
                "| " + " | ".join(header) + " |",
                "|" + "|".join("---" for _ in header) + "|",
                *("| " + " | ".join(row) + " |" for row in rows),
            ]
            return "\n".join(lines) + f"\n\n: {caption}"
        spec = "".join(
            ">{\\raggedright\\arraybackslash}"
            f"p{{\\dimexpr {width:.3f}\\linewidth-2\\tabcolsep\\relax}}"
            for width in widths
        )
        head = " & ".join(f"\\textbf{{{cell}}}" for cell in header) + " \\\\"
        body = "\n".join(" & ".join(row) + " \\\\" for row in rows)
        return (
            "{\\footnotesize\\setlength{\\tabcolsep}{4pt}\n"
            f"\\begin{{longtable}}{{{spec}}}\n"
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
        "For every category we compare the work in a table, discuss it method by method with "
        "the relations between papers, the trade-offs that set them apart and their best "
        "located results; a gap analysis and the records' own answers name what is still open.",
    ]
    return out.text(" ".join(sentences))


def _introduction(kb: KnowledgeBase, stats: Stats, out: _Writer) -> list[str]:
    taxonomy = kb.taxonomy
    anchor = "dang2024explainable"
    source = f" {out.cite([anchor])}" if anchor in kb.papers else ""
    first = out.text(
        "Multimodal large language models answer questions about images, video and audio, and "
        "explaining how they reach an answer is now a research area of its own. What follows is a "
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
            ". Each perspective and category below opens with an overview, then compares its "
            "records in a table and discusses them method by method, in the order the methods "
            "grew from one another, with the relations between papers, the trade-offs that set "
            "them apart and the best results they report."
        )
    )
    overview = [
        out.mark.bold(out.text(taxonomy.perspectives[key].name))
        + out.text(f", {count} records by primary category: ")
        + out.ref(f"sec:{key}", "Section", taxonomy.perspectives[key].name)
        + "."
        for key, count in stats.perspectives.items()
    ]
    curated = kb.taxonomy.survey.get("survey")
    closing = (
        out.text("The gap analysis in ")
        + out.ref("sec:gaps", "Section", "Gaps")
        + out.text(", the open problems in ")
        + out.ref("sec:open-problems", "Section", "Open problems")
        + out.text(" and the timeline in ")
        + out.ref("fig:timeline", "Figure")
        + out.text(" show where work is still thin and how the field grew.")
    )
    opening = [overview_text(curated.overview, out.mark)] if curated else []
    return [
        out.heading(1, "Introduction", "sec:introduction"),
        *opening,
        first,
        second,
        out.items(overview),
        closing,
    ]


def _symbol(paper: Paper, prop: str) -> str:
    answer = paper.properties.get(prop)
    if answer is None:
        return "-"
    if isinstance(answer.value, bool):
        return answer.word
    return "part." if answer.value == "partial" else answer.value[:4]


# NOTE: a comparison table shows at most this many trade-off columns (the questions most
# records of the category answer), so that it fits the text width.
TABLE_PROPERTIES = 4


def _comparison_table(kb: KnowledgeBase, leaf: str, papers: list[Paper], out: _Writer) -> str:
    taxonomy = kb.taxonomy
    answered = Counter(prop for paper in papers for prop in paper.properties)
    props = [
        prop
        for prop in taxonomy.properties
        if answered[prop] and prop in dict(answered.most_common(TABLE_PROPERTIES))
    ][:TABLE_PROPERTIES]
    rows = [
        [
            out.cite_text(paper.id),
            out.names("methods", paper.methods, taxonomy.methods),
            out.names("models", paper.models, taxonomy.models) or out.text("-"),
            *(out.text(_symbol(paper, prop)) for prop in props),
        ]
        for paper in papers
    ]
    name = taxonomy.perspectives[leaf].name
    legend = "; ".join(
        f"P{index}: {taxonomy.properties[prop].question}" for index, prop in enumerate(props, 1)
    )
    caption = out.text(
        f"Records filed under {name}: methods, models studied"
        + (
            f", and answers to trade-off questions ({legend}; part.: partly; -: not stated)."
            if props
            else "."
        )
    )
    shares = [0.2, 0.26, 0.2] if props else [0.25, 0.45, 0.30]
    rest = (1.0 - sum(shares)) / len(props) if props else 0.0
    return out.table(
        f"tab:{leaf}",
        caption,
        ["Paper", "Methods", "Models", *(f"P{index}" for index in range(1, len(props) + 1))],
        rows,
        [*shares, *(rest for _ in props)],
    )


def _leaf_section(
    kb: KnowledgeBase, leaf: str, papers: list[Paper], out: _Writer, said: Said
) -> list[str]:
    node = kb.taxonomy.perspectives[leaf]
    opening = (
        overview_text(node.overview, out.mark) if node.overview else out.text(node.description)
    )
    parts = [out.heading(2, node.name, f"sec:{leaf}"), opening]
    if not papers:
        parts.append(out.text(f"{node.name} holds no record of the knowledge base yet."))
        return parts
    primary = [paper for paper in papers if paper.taxonomy[0] == leaf]
    elsewhere = [paper.id for paper in papers if paper.taxonomy[0] != leaf]
    holds = out.text(f"{node.name} holds {len(papers)} records, compared in ") + out.ref(
        f"tab:{leaf}", "Table"
    )
    if elsewhere:
        holds += out.text(
            "; those filed here as a second category are discussed under their first "
        ) + out.cite(elsewhere)
    parts.append(holds + ".")
    parts.append(_comparison_table(kb, leaf, papers, out))
    parts += discussion(kb, primary, node.name.lower(), out.mark, said)
    return parts


def _perspective_sections(kb: KnowledgeBase, out: _Writer, said: Said) -> list[str]:
    taxonomy = kb.taxonomy
    by_leaf = papers_by_leaf(kb)
    parts: list[str] = []
    for top in taxonomy.children(None):
        node = taxonomy.perspectives[top]
        opening = (
            overview_text(node.overview, out.mark) if node.overview else out.text(node.description)
        )
        parts += [out.heading(1, node.name, f"sec:{top}"), opening]
        for child in taxonomy.children(top):
            child_node = taxonomy.perspectives[child]
            if child not in taxonomy.leaves:
                text = child_node.overview or child_node.description
                parts.append(
                    out.paragraph_title(f"{child_node.name}.")
                    + " "
                    + (overview_text(text, out.mark) if child_node.overview else out.text(text))
                )
        for leaf in taxonomy.leaves_under(top):
            parts += _leaf_section(kb, leaf, by_leaf.get(leaf, []), out, said)
    return parts


def _open_problems(kb: KnowledgeBase, out: _Writer) -> list[str]:
    items = open_problems(kb, out.mark)
    if not items:
        return []
    return [
        out.heading(1, "Open problems", "sec:open-problems"),
        out.text(
            "Besides the gaps above, the records' own answers to the trade-off questions show "
            "what much of the work leaves open: for each question, how many of the records that "
            "answer it give the answer that limits the work."
        ),
        out.items(items),
    ]


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
        width = 0.7 / max(len(matrix.columns), 1)
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
                [0.3, *(width for _ in matrix.columns)],
            )
        )
    if found.thinnest:
        parts.append(
            out.text("The thinnest cells are listed in ")
            + out.ref("tab:thinnest", "Table")
            + out.text(
                ", fewest records first and, among equals, those that independence of the two "
                "axes would fill most."
            )
        )
        rows = [
            [
                out.text(taxonomy.perspectives[gap.leaf].name),
                out.text(_gap_column(kb, gap.axis, gap.column)),
                str(gap.count),
                f"{gap.expected:.1f}",
            ]
            for gap in found.thinnest
        ]
        parts.append(
            out.table(
                "tab:thinnest",
                out.text("The thinnest cells: records found and records expected."),
                ["Category", "Little or no work on", "Records", "Expected"],
                rows,
                [0.32, 0.4, 0.14, 0.14],
            )
        )
    return parts


def _gap_column(kb: KnowledgeBase, axis: str, column: str) -> str:
    if axis == "modality":
        return kb.taxonomy.modalities[column].name
    if axis == "granularity":
        return f"{column}-level methods"
    return f"{column} methods"


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
    columns = ">{\\raggedright\\arraybackslash}p{0.3\\linewidth}" + "r" * len(years)
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
        "\\begin{figure}[htbp]\n\\centering\\footnotesize\\setlength{\\tabcolsep}{3pt}\n"
        f"\\begin{{tabular}}{{{columns}}}\n\\toprule\n{head}\n\\midrule\n{body}\n"
        f"\\midrule\n{total}\n\\bottomrule\n\\end{{tabular}}\n\n\\bigskip\n"
        f"\\begin{{tabular}}{{rrl}}\n\\toprule\nYear & Records & \\\\\n\\midrule\n{bar_rows}\n"
        "\\bottomrule\n\\end{tabular}\n"
        "\\caption{Records per category and year (top) and per year (bottom).}"
        "\\label{fig:timeline}\n\\end{figure}"
    )
    return parts


def _body(kb: KnowledgeBase, stats: Stats, out: _Writer) -> list[str]:
    said = Said()
    return [
        *_introduction(kb, stats, out),
        *_perspective_sections(kb, out, said),
        *_gap_section(kb, out),
        *_open_problems(kb, out),
        *_timeline_section(kb, out),
    ]


def _title(kb: KnowledgeBase) -> str:
    """The curators' title (taxonomy/survey.yaml), else the default one."""
    curated = kb.taxonomy.survey.get("survey")
    return curated.name if curated else SURVEY_TITLE


def _tex(kb: KnowledgeBase, bibliography: str) -> str:
    out = _Writer("tex")
    title = f"{latex_escape(_title(kb))}\\\\[0.5ex]\\large {latex_escape(_SUBTITLE)}"
    preamble = (
        "\\documentclass[11pt,a4paper]{article}\n"
        f"{LATEX_PREAMBLE}"
        "\\usepackage[margin=2.5cm]{geometry}\n"
        "\\usepackage{array}\n\\usepackage{booktabs}\n\\usepackage{longtable}\n"
        "\\usepackage[authoryear,round]{natbib}\n"
        "\\PassOptionsToPackage{hyphens}{url}\\usepackage[hidelinks]{hyperref}\n"
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
    tail = f"\\bibliographystyle{{plainnat}}\n\\bibliography{{{bibliography}}}\n\\end{{document}}\n"
    return _document(head, _body(kb, stats, out), tail)


def _md(kb: KnowledgeBase, bibliography: str) -> str:
    out = _Writer("md")
    stats = compute_stats(kb)
    abstract = _abstract(kb, stats, out)
    front = (
        "---\n"
        f"title: {json.dumps(_title(kb), ensure_ascii=False)}\n"
        f'subtitle: "{_SUBTITLE}"\n'
        "abstract: |\n"
        f"  {abstract}\n"
        f"bibliography: {bibliography}.json\n"
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
        A `Survey` whose `files` map names (main file first, then its bibliography, named
        `references-<digest>` after its content) to text.
    """
    papers = list(kb.papers.values())
    if fmt == "tex":
        bib = bibtex_library(papers, kb.taxonomy, True)
        stem = _references_stem(bib)
        main = f"{name}.tex"
        return Survey(main, {main: _tex(kb, stem), f"{stem}.bib": bib})
    csl = csl_json(papers, kb.taxonomy) + "\n"
    stem = _references_stem(csl)
    main = f"{name}.md"
    return Survey(main, {main: _md(kb, stem), f"{stem}.json": csl})


REFERENCES = re.compile(r"^references-[0-9a-f]{12}\.(bib|json)$")


def _references_stem(text: str) -> str:
    """`references-<digest>`: the bibliography's name comes from its content.

    NOTE: the main file names its bibliography, so a folder always holds a matching pair,
    even when a writer is killed between the two files: the new bibliography is written under
    a new name first, and the old main file still names the old one until it is replaced.
    """
    return "references-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
