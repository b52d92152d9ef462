"""The Markdown pages of the docs tree, rendered from Jinja templates.

Templates autoescape: every value is HTML-escaped unless it is already `Markup` made by
`kb.site.escape` or `kb.site.charts`. Pages are Markdown with blocks of raw HTML; untrusted
text inside Markdown (headings) goes through the `md` filter, inside HTML through `t`.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kb.core.records import Answer, Paper, Result
from kb.core.taxonomy import Property
from kb.graph.evidence import change, number_text
from kb.graph.gaps import timeline
from kb.graph.related import Related
from kb.graph.stats import compute_stats
from kb.site import charts
from kb.site.context import COMPARISON_LIMIT, LINK_LIMIT, TABLE_LIMIT, SiteContext
from kb.site.escape import display_name, front_matter_string, html_text, md_text, safe_url
from kb.site.routes import (
    ASSETS,
    BENCHMARKS,
    DATA,
    benchmark_page,
    method_page,
    model_page,
    node_page,
    paper_page,
    relative,
    url_of,
)
from kb.site.search import bundle_parts
from kb.site.shell import PAPER_SECTIONS, SHELL_PAGE, shell_markdown

__all__ = [
    "GRAPH_SIZES",
    "SIZE_MARKER",
    "DownloadFile",
    "PaperPage",
    "PaperPages",
    "fill_sizes",
    "paper_pages",
    "render_pages",
]

GRAPH_SIZES = (100, 250, 500, 1000, 2000, 5000, 10000, 50000, 100000)
GRAPH_DEFAULT = 500
KB_URL = "https://github.com/mllm-xai-kb/mllm-xai-kb"


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("kb.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["t"] = html_text
    environment.filters["md"] = md_text
    environment.filters["url"] = safe_url
    return environment


class DownloadFile:
    """A file of the Downloads page: its path in the site and a label.

    Its size is known only once the file is made, after the builder has run; the page holds a
    marker that `fill_sizes` replaces in the built HTML.
    """

    def __init__(self, path: str, label: str) -> None:
        self.path = path
        self.name = path.rsplit("/", 1)[-1]
        self.label = label
        self.size = Markup(f'<span class="kb-size">{SIZE_MARKER}{html_text(path)}</span>')


def _human(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


SIZE_MARKER = "kb-size-of:"
_SIZE = re.compile(r'<span class="kb-size">' + SIZE_MARKER + r"([^<]*)</span>")


def fill_sizes(page: str, sizes: dict[str, int]) -> str | None:
    """The built Downloads page with each size marker replaced by the file's size; None when
    a marker names a file that was not made."""
    missing: list[str] = []

    def size(match: re.Match[str]) -> str:
        path = html.unescape(match.group(1))
        if path not in sizes:
            missing.append(path)
            return ""
        return f'<span class="kb-size">{_human(sizes[path])}</span>'

    filled = _SIZE.sub(size, page)
    return None if missing else filled


@dataclass(frozen=True)
class Mark:
    """A trade-off answer as a matrix cell: its HTML and a number to sort by."""

    html: Markup
    rank: int


_MARKS = {
    True: ("kb-yes", "✓", "yes"),
    "partial": ("kb-partial", "◐", "partial"),
    False: ("kb-no", "✗", "no"),
}


def answer_word(answer: Answer | None) -> str:
    """The answer as the filter names it: yes, no, partial, a class, or none."""
    return "none" if answer is None else answer.word


def answer_mark(prop: Property, answer: Answer | None) -> Mark:
    """A tick, half circle or cross (with the word for screen readers), a class name, or a
    dash when the record does not say.

    Sorting puts yes above partial above no, and classes in the vocabulary's order.
    """
    if answer is None:
        html = Markup('<span class="kb-mark kb-none" title="not stated">\u2013</span>')
        return Mark(html + Markup('<span class="kb-visually-hidden">not stated</span>'), 0)
    where = f" ({answer.where})" if answer.where else ""
    if prop.answers:
        rank = prop.answers.index(answer.value) + 1 if answer.value in prop.answers else 0
        text = html_text(f"{answer.value}")
        return Mark(Markup('<span class="kb-class" title="{}">{}</span>').format(where, text), rank)
    css, symbol, word = _MARKS[answer.value]
    rank = {"kb-no": 1, "kb-partial": 2, "kb-yes": 3}[css]
    html = Markup(
        '<span class="kb-mark {}" title="{}{}" aria-hidden="true">{}</span>'
        '<span class="kb-visually-hidden">{}</span>'
    ).format(css, word, where, symbol, word)
    return Mark(html, rank)


def answer_values(prop: Property) -> list[str]:
    """The answers the matrix filter offers for `prop`."""
    return [*(prop.answers or ("yes", "partial", "no")), "none"]


def answer_attributes(paper: Paper, props: list[Property]) -> str:
    """`training-free=yes compute-cost=low ...`: what the filter script matches rows on."""
    return " ".join(f"{p.id}={answer_word(paper.properties.get(p.id))}" for p in props)


def signed_change(result: Result) -> str:
    """The change over the paper's own baseline, signed: +5.2, a minus sign and 0.4, or ±0."""
    delta = change(result)
    if delta is None:
        return ""
    if delta == 0:
        return "±0"
    return f"+{delta}" if delta > 0 else f"\u2212{-delta}"


class _Renderer:
    """Renders one template per page with the shared context and page-relative links."""

    def __init__(self, ctx: SiteContext, graph_library: bool) -> None:
        self.ctx = ctx
        self.graph_library = graph_library
        self.tax = ctx.taxonomy
        self.leaves = set(self.tax.leaves)
        self._rows: dict[tuple[str, tuple[str, ...], int], str] = {}
        self._macros: dict[int, Any] = {}
        self._answered: list[Property] | None = None

    def node_page(self, node: str) -> str:
        return node_page(node, node in self.leaves)

    def matrix_row(self, source: str, paper: Paper, props: list[Property], table: str) -> Markup:
        """A paper's rows in a comparison matrix.

        NOTE: a paper is a row of the matrices of each of its categories, their perspective
        and each of its methods; all those pages sit at the same depth and most show the same
        columns, so each paper's rows are rendered once per set of columns and depth (a third of
        the docs tree's generation time otherwise) and only the table id is put in after.
        """
        depth = url_of(source).count("/")
        key = (paper.id, tuple(p.id for p in props), depth)
        rows = self._rows.get(key)
        if rows is None:
            macros: Any = self._macros.get(depth)
            if macros is None:
                template = _environment().get_template("_macros.j2")
                macros = self._macros[depth] = template.make_module(self._values(source))
            rows = self._rows[key] = str(macros.matrix_rows(paper, props))
        return Markup(rows.replace("ROWID-", f"{table}-"))

    def answered_properties(self, papers: list[Paper]) -> list[Property]:
        """The trade-off columns of every matrix: the properties some record answers, in the
        vocabulary's order.

        NOTE: the same columns on every page, so that matrices read alike from page to page
        and each paper's rows are rendered once for all of them (`matrix_row`).
        """
        if self._answered is None:
            answered = {prop for paper in self.ctx.papers.values() for prop in paper.properties}
            self._answered = [p for pid, p in self.tax.properties.items() if pid in answered]
        return self._answered

    def _values(self, source: str) -> dict[str, Any]:
        """What every template of a page at `source` may use."""
        href: Callable[[str], str] = functools.partial(relative, source)
        return {
            "ctx": self.ctx,
            "tax": self.tax,
            "href": href,
            "paper_page": paper_page,
            "method_page": method_page,
            "model_page": model_page,
            "benchmark_page": benchmark_page,
            "node_page": self.node_page,
            "answer_mark": answer_mark,
            "answer_values": answer_values,
            "answer_attributes": answer_attributes,
            "answered_properties": self.answered_properties,
            "matrix_row": functools.partial(self.matrix_row, source),
            "number": number_text,
            "display_name": display_name,
            "signed_change": signed_change,
            "assets": ASSETS,
            "data": DATA,
        }

    def render(self, template: str | jinja2.Template, source: str, **values: Any) -> str:
        if isinstance(template, str):
            template = _environment().get_template(template)
        return template.render(**self._values(source), **values)


def _method_counts(ctx: SiteContext, paper_ids: list[str]) -> tuple[list[str], dict[str, int]]:
    counts = Counter(m for pid in paper_ids for m in ctx.papers[pid].methods)
    ordered = sorted(counts, key=lambda m: (-counts[m], ctx.taxonomy.methods[m].name.lower()))
    return ordered, dict(counts)


def _node_pages(r: _Renderer) -> Iterator[tuple[str, str]]:
    ctx, tax = r.ctx, r.tax
    for node_id, node in tax.perspectives.items():
        source = r.node_page(node_id)
        trail: list[str] = []
        parent = node.parent
        while parent is not None and parent in tax.perspectives:
            trail.insert(0, parent)
            parent = tax.perspectives[parent].parent
        ids = ctx.papers_under.get(node_id, [])
        shown = [ctx.papers[pid] for pid in ctx.by_influence(ids)[:TABLE_LIMIT]]
        methods, counts = _method_counts(ctx, ids)
        yield (
            source,
            r.render(
                "node.md.j2",
                source,
                title_yaml=Markup(front_matter_string(node.name)),
                node=node,
                trail=trail,
                children=tax.children(node_id),
                is_leaf=node_id in r.leaves,
                total=len(ids),
                shown=shown,
                compared=shown[:COMPARISON_LIMIT],
                methods=methods,
                method_counts=counts,
            ),
        )


def _paper_links(paper: Any) -> list[tuple[str, str]]:
    links: list[tuple[str, str | None]] = []
    if paper.arxiv:
        links.append(("arXiv", safe_url(f"https://arxiv.org/abs/{paper.arxiv}")))
    if paper.doi:
        links.append(("DOI", safe_url(f"https://doi.org/{paper.doi}")))
    links.append(("Paper", safe_url(paper.url)))
    links.append(("Code", safe_url(paper.code)))
    return [(label, url) for label, url in links if url]


class _PaperItems:
    """A paper as an entry of another paper's lists (cites, cited by, related), made once.

    NOTE: a paper appears in the lists of many others; rendering the entry once instead of
    through a template macro each time is a third of the time of all paper pages. All paper
    pages sit at the same depth, so the link is the same on each.
    """

    def __init__(self, ctx: SiteContext) -> None:
        self.ctx = ctx
        self.made: dict[str, Markup] = {}

    def __call__(self, paper_id: str) -> Markup:
        made = self.made.get(paper_id)
        if made is None:
            paper = self.ctx.papers[paper_id]
            more = " et al." if len(paper.authors) > 1 else ""
            made = Markup('<a href="{}">{}</a> <span class="kb-muted">{}{}, {}</span>').format(
                relative(paper_page(""), paper_page(paper_id)),
                html_text(paper.title),
                html_text(display_name(paper.authors[0])),
                more,
                paper.year,
            )
            self.made[paper_id] = made
        return made


# How a relation reads from the record holding it, and from the record it points to.
RELATION_PHRASES = {
    "extends": ("Extends", "extends this paper"),
    "improves-on": ("Improves on", "improves on this paper"),
    "compares-with": ("Compares with", "compares with this paper"),
    "contradicts": ("Contradicts", "contradicts this paper"),
    "reproduces": ("Reproduces", "reproduces this paper"),
    "applies": ("Applies", "applies this paper's method or data"),
}


def _related_with_relations(ctx: SiteContext, paper_id: str) -> list[Related]:
    """Records linked by a typed relation first (the relation is the reason), then the
    records most like this one that no relation names."""
    linked: dict[str, list[str]] = {}
    for link in ctx.relations.get(paper_id, []):
        if link.other in ctx.papers:
            own, other = RELATION_PHRASES[link.type]
            reason = f"{own.lower()} it" if link.outgoing else other
            linked.setdefault(link.other, []).append(f"{reason}: {link.note}")
    first = [Related(other, 0.0, tuple(reasons)) for other, reasons in linked.items()]
    rest = [
        r for r in ctx.related.get(paper_id, []) if r.paper in ctx.papers and r.paper not in linked
    ]
    return first + rest


@dataclass(frozen=True)
class PaperPage:
    """A paper's page for the shell (kb.site.shell): its title and article, both HTML."""

    title: str
    article: str


class PaperPages:
    """Renders the papers' pages, and gives each a key that changes whenever its page would.

    NOTE: a rebuild after one record changed re-renders only the pages whose key changed and
    keeps the others from the previous build (kb.site.build). A key covers everything the
    template reads: the record, its BibTeX, the entries of its lists (title, first author,
    year and order of each linked paper), and, for every page, kb's code and templates and
    the vocabularies.
    """

    def __init__(self, ctx: SiteContext) -> None:
        self.ctx = ctx
        self.renderer = _Renderer(ctx, graph_library=True)
        self.template = _environment().get_template("paper.html.j2")
        self.sections = dict(PAPER_SECTIONS)
        self.item = _PaperItems(ctx)
        vocabularies = repr(ctx.taxonomy).encode("utf-8")
        self.salt = hashlib.blake2b(_site_code_digest() + vocabularies, digest_size=16).digest()

    def _values(self, paper_id: str) -> dict[str, Any]:
        ctx = self.ctx
        paper = ctx.papers[paper_id]
        return {
            "p": paper,
            "venue": ctx.taxonomy.venues[paper.venue],
            "links": _paper_links(paper),
            "bibtex": ctx.bibtex[paper_id],
            "cites": ctx.by_influence([c for c in paper.cites if c in ctx.papers]),
            "cited_by": ctx.by_influence(ctx.cited_by.get(paper_id, [])),
            "limit": LINK_LIMIT,
            "related": _related_with_relations(ctx, paper_id),
            "relations": [x for x in ctx.relations.get(paper_id, []) if x.other in ctx.papers],
            "answers": [
                (prop, paper.properties[pid])
                for pid, prop in ctx.taxonomy.properties.items()
                if pid in paper.properties
            ],
        }

    def page(self, paper_id: str) -> PaperPage:
        """The page of one paper."""
        values = self._values(paper_id)
        article = self.renderer.render(
            self.template,
            paper_page(paper_id),
            sections=self.sections,
            item=self.item,
            relation_phrases=RELATION_PHRASES,
            answer_word=answer_word,
            **values,
        )
        return PaperPage(str(html_text(values["p"].title)), article)

    def key(self, paper_id: str) -> str:
        """A digest of everything the page of `paper_id` is made from."""
        values = self._values(paper_id)
        lists = [
            [self.item(pid) for pid in values["cites"][:LINK_LIMIT]],
            len(values["cites"]),
            [self.item(pid) for pid in values["cited_by"][:LINK_LIMIT]],
            len(values["cited_by"]),
            [[self.item(r.paper), list(r.reasons)] for r in values["related"]],
            [[self.item(x.other), x.type, x.note, x.outgoing] for x in values["relations"]],
        ]
        digest = hashlib.blake2b(self.salt, digest_size=16)
        digest.update(values["p"].model_dump_json().encode("utf-8"))
        digest.update(values["bibtex"].encode("utf-8"))
        digest.update(json.dumps(lists, ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()


@functools.cache
def _site_code_digest() -> bytes:
    """kb's source and templates: a new version of kb renders every page again."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.j2")]):
        digest.update(path.read_bytes())
    return digest.digest()


def paper_pages(ctx: SiteContext) -> dict[str, PaperPage]:
    """Every paper's page, keyed by the paper's source path (`papers/<id>.md`)."""
    pages = PaperPages(ctx)
    return {paper_page(pid): pages.page(pid) for pid in ctx.papers}


def _method_pages(r: _Renderer) -> Iterator[tuple[str, str]]:
    ctx, tax = r.ctx, r.tax
    parents = {mid: m.extends for mid, m in tax.methods.items()}
    names = {mid: m.name for mid, m in tax.methods.items()}
    for mid, method in tax.methods.items():
        source = method_page(mid)
        lineage = ctx.lineages[mid]
        users = ctx.method_papers[mid]

        def link(target: str, source: str = source) -> str:
            return relative(source, method_page(target))

        diagram = charts.lineage_diagram(
            mid, lineage.ancestors, lineage.descendants, parents, names, link
        )
        introduced = ctx.papers.get(method.introduced_by or "")
        yield (
            source,
            r.render(
                "method.md.j2",
                source,
                title_yaml=Markup(front_matter_string(method.name)),
                method=method,
                introduced_by=introduced,
                lineage_svg=diagram,
                proposing=[p for p in users.proposing if p in ctx.papers],
                using=[ctx.papers[p] for p in ctx.by_influence(list(users.using))[:TABLE_LIMIT]],
                compared=[
                    ctx.papers[p]
                    for p in ctx.by_influence([*users.proposing, *users.using])[:COMPARISON_LIMIT]
                    if p in ctx.papers
                ],
            ),
        )


def _model_pages(r: _Renderer) -> Iterator[tuple[str, str]]:
    ctx = r.ctx
    for mid, model in r.tax.models.items():
        source = model_page(mid)
        ids = ctx.by_influence(ctx.model_papers.get(mid, []))[:TABLE_LIMIT]
        yield (
            source,
            r.render(
                "model.md.j2",
                source,
                title_yaml=Markup(front_matter_string(model.name)),
                model=model,
                papers=[ctx.papers[p] for p in ids],
            ),
        )


def _benchmark_pages(r: _Renderer) -> Iterator[tuple[str, str]]:
    ctx = r.ctx
    for bid, benchmark in r.tax.benchmarks.items():
        source = benchmark_page(bid)
        yield (
            source,
            r.render(
                "benchmark.md.j2",
                source,
                title_yaml=Markup(front_matter_string(benchmark.name)),
                benchmark=benchmark,
                boards=ctx.boards.get(bid, []),
                benchmarks_index=BENCHMARKS,
                limit=TABLE_LIMIT,
            ),
        )
    results = Counter(r.benchmark for p in ctx.papers.values() for r in p.results)
    papers = Counter(b for p in ctx.papers.values() for b in {r.benchmark for r in p.results})
    yield (
        BENCHMARKS,
        r.render(
            "benchmarks.md.j2",
            BENCHMARKS,
            benchmarks=sorted(r.tax.benchmarks.values(), key=lambda b: b.name.lower()),
            results={bid: results[bid] for bid in r.tax.benchmarks},
            papers={bid: papers[bid] for bid in r.tax.benchmarks},
        ),
    )


def _tree(r: _Renderer, source: str) -> Markup:
    ctx = r.ctx
    most = max((len(ctx.papers_under.get(leaf, [])) for leaf in r.tax.leaves), default=0) or 1

    def bar(node: str) -> int:
        return round(100 * len(ctx.papers_under.get(node, [])) / most)

    return Markup(r.render("tree.html.j2", source, bar=bar).strip())


def _kb_bibtex(ctx: SiteContext) -> str:
    dates = [p.added for p in ctx.papers.values() if p.added is not None]
    year = max(dates).year if dates else max((p.year for p in ctx.papers.values()), default=2025)
    return (
        "@misc{mllmxaikb,\n"
        "  title = {{MLLM-XAI-KB}: A Curated Knowledge Base of Explainability and "
        "Interpretability Research on Multimodal Large Language Models},\n"
        "  author = {{The mllm-xai-kb contributors}},\n"
        f"  year = {{{year}}},\n"
        f"  howpublished = {{\\url{{{KB_URL}}}}},\n"
        f"  note = {{{len(ctx.papers)} records}}\n"
        "}\n"
    )


def _home(r: _Renderer) -> str:
    ctx = r.ctx
    counts = {
        "papers": len(ctx.papers),
        "leaves": len(r.tax.leaves),
        "methods": len(r.tax.methods),
        "models": len(r.tax.models),
        "cites": sum(len(p.cites) for p in ctx.papers.values()),
    }
    return r.render(
        "home.md.j2",
        "index.md",
        counts=counts,
        tree=_tree(r, "index.md"),
        latest=ctx.latest(10),
        kb_bibtex=_kb_bibtex(ctx),
    )


def _statistics(r: _Renderer, gaps: tuple[dict[tuple[str, str], int], list[str]]) -> str:
    ctx, tax = r.ctx, r.tax
    numbers = compute_stats(ctx.kb)
    source = "statistics.md"
    perspectives = [(p, tax.perspectives[p].name) for p in tax.children(None)]
    per_year: dict[str, dict[int | str, int]] = {p: {} for p, _ in perspectives}
    year_keys: list[int | str] = []
    for leaf, years in timeline(ctx.kb).items():
        group = per_year.setdefault(tax.perspective_of(leaf), {})
        for year, count in years.items():
            group[year] = group.get(year, 0) + count
            if year not in year_keys:
                year_keys.append(year)
    counts, thinnest = gaps
    rows = [
        (leaf, tax.perspectives[leaf].name, relative(source, r.node_page(leaf)))
        for leaf in tax.leaves
    ]
    columns = [(mid, m.name) for mid, m in tax.modalities.items()]
    method_use = Counter(m for p in ctx.papers.values() for m in p.methods)
    most_used = sorted(method_use, key=lambda m: (-method_use[m], m))[:20]
    bars = [
        charts.Bar(tax.methods[m].name, method_use[m], relative(source, method_page(m)))
        for m in most_used
    ]
    influential = [ctx.papers[pid] for pid in ctx.by_influence(list(ctx.papers))[:20]]
    added: dict[str, dict[int | str, int]] = {"all": {}}
    for paper in ctx.papers.values():
        if paper.added is not None:
            month = paper.added.strftime("%Y-%m")
            added["all"][month] = added["all"].get(month, 0) + 1
    months: list[int | str] = sorted(added["all"])
    return r.render(
        "statistics.md.j2",
        source,
        per_year=charts.stacked_bars(
            "Papers per year and perspective", perspectives, per_year, year_keys
        ),
        heatmap=charts.heatmap("Papers per category and modality", rows, columns, counts),
        thinnest=thinnest,
        top_methods=charts.horizontal_bars("Top methods", bars),
        influential=influential,
        currency=_currency(ctx),
        per_added=charts.stacked_bars(
            "Records added per month", [("all", "Records added")], added, months
        ),
        evidence=numbers.evidence,
        screening=numbers.screening,
    )


def _currency(ctx: SiteContext) -> list[tuple[str, str]]:
    papers = list(ctx.papers.values())
    if not papers:
        return [("Records", "none yet")]
    years = sorted(p.year for p in papers)
    newest = years[-1]
    recent = sum(1 for y in years if y >= newest - 1)
    dates = sorted(p.added for p in papers if p.added is not None)
    rows = [
        ("Newest publication year", str(newest)),
        ("Median publication year", str(years[len(years) // 2])),
        (
            f"Published in {newest - 1} or {newest}",
            f"{recent} of {len(papers)} ({100 * recent / len(papers):.0f} %)",
        ),
    ]
    if dates:
        last = dates[-1]
        recent_added = sum(1 for d in dates if (last - d).days <= 90)
        rows.append(("Last record added", last.isoformat()))
        rows.append(("Added in the 90 days before that", str(recent_added)))
    return rows


def render_pages(
    ctx: SiteContext,
    gaps: tuple[dict[tuple[str, str], int], list[str]],
    downloads: list[tuple[str, list[DownloadFile]]],
    graph_library: bool,
) -> dict[str, str]:
    """Every Markdown page of the site, keyed by its path in the docs tree.

    Papers get the shell page only; `paper_pages` makes their articles.

    `gaps` is (leaf x modality counts, names of the thinnest cells), `downloads` the sections
    of the Downloads page, and `graph_library` whether the graph's JavaScript is bundled.
    """
    r = _Renderer(ctx, graph_library)
    pages: dict[str, str] = {"index.md": _home(r)}
    pages.update(_node_pages(r))
    pages[SHELL_PAGE] = shell_markdown()
    pages.update(_method_pages(r))
    pages.update(_model_pages(r))
    pages.update(_benchmark_pages(r))
    tax = r.tax
    method_counts = Counter(m for p in ctx.papers.values() for m in p.methods)
    pages["methods/index.md"] = r.render(
        "methods.md.j2",
        "methods/index.md",
        methods=sorted(tax.methods, key=lambda m: tax.methods[m].name.lower()),
        counts={m: method_counts.get(m, 0) for m in tax.methods},
    )
    pages["models/index.md"] = r.render(
        "models.md.j2",
        "models/index.md",
        models=sorted(tax.models, key=lambda m: tax.models[m].name.lower()),
        counts={m: len(ctx.model_papers.get(m, [])) for m in tax.models},
    )
    pages["taxonomy/index.md"] = _taxonomy_index(r)
    pages["explorer.md"] = r.render("explorer.md.j2", "explorer.md")
    pages["graph.md"] = r.render(
        "graph.md.j2",
        "graph.md",
        graph_library=graph_library,
        edge_kinds=[
            ("cites", "Citations"),
            ("extends", "Method lineage"),
            ("proposes", "Proposes"),
            ("uses", "Uses"),
        ],
        default_edges={"cites", "extends", "proposes"},
        sizes=[n for n in GRAPH_SIZES if n < len(ctx.papers)] + [len(ctx.papers)],
        default_size=min(GRAPH_DEFAULT, len(ctx.papers)),
    )
    pages["statistics.md"] = _statistics(r, gaps)
    pages["search.md"] = r.render("search.md.j2", "search.md", parts=bundle_parts(len(ctx.papers)))
    pages["contribute.md"] = r.render("contribute.md.j2", "contribute.md")
    dates = [p.added for p in ctx.papers.values() if p.added is not None]
    pages["downloads.md"] = r.render(
        "downloads.md.j2",
        "downloads.md",
        groups=downloads,
        as_of=max(dates).isoformat() if dates else None,
    )
    return pages


def _taxonomy_index(r: _Renderer) -> str:
    source = "taxonomy/index.md"
    return r.render(
        "taxonomy.md.j2",
        source,
        tree=_tree(r, source),
    )
