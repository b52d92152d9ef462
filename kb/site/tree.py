"""The docs tree: every file MkDocs (or Zensical) needs, as values, before anything is written.

`docs_tree` is pure apart from reading the front-end sources: it takes the validated knowledge
base and returns the Markdown pages, data files, downloads, assets, theme overrides and the
`mkdocs.yml` text. Writing them and running the builders is `kb.site.build`'s job.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from kb.csl import csl_items
from kb.graph import gaps, graphml, node_link
from kb.related_work import related_work
from kb.site import assets, data
from kb.site.config import mkdocs_config
from kb.site.context import SiteContext, site_context
from kb.site.pages import DownloadFile, PaperPage, paper_pages, render_pages
from kb.site.routes import ASSETS, DATA
from kb.survey import survey
from kb.validate import KnowledgeBase

__all__ = ["DocsTree", "builder_tree", "docs_tree"]


@dataclass(frozen=True)
class DocsTree:
    """A complete MkDocs project: `docs/` files, theme overrides and the config text."""

    docs: dict[str, str | bytes]
    overrides: dict[str, bytes]
    config: str
    graph_library: bool
    notes: list[str] = field(default_factory=list)
    papers: dict[str, PaperPage] = field(default_factory=dict)

    @property
    def pages(self) -> list[str]:
        """Paths of the Markdown pages the builder renders, sorted (papers are not among them:
        they are filled into the shell page, see kb.site.shell)."""
        return sorted(path for path in self.docs if path.endswith(".md"))


def _gap_table(ctx: SiteContext) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Leaf x modality counts for the heat map, and the thinnest cells of every axis in words."""
    found = gaps(ctx.kb)
    matrix = found.matrices["modality"]
    counts = {
        (leaf, column): count
        for leaf, columns in matrix.counts.items()
        for column, count in columns.items()
    }
    return counts, [gap.text for gap in found.thinnest]


def _zip(files: dict[str, str]) -> bytes:
    """A zip archive of `files` (name -> text) that is the same bytes at every build."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _downloads(
    ctx: SiteContext,
) -> tuple[dict[str, str | bytes], list[tuple[str, list[DownloadFile]]]]:
    """The Downloads page's files (path -> content) and its sections.

    NOTE: Markdown downloads travel in zip archives: a `.md` file in the docs tree would be
    turned into a page by the builder instead of being published as it is.
    """
    tax = ctx.taxonomy
    papers = list(ctx.papers.values())
    files: dict[str, str | bytes] = {}
    sections: dict[str, list[DownloadFile]] = {
        "The whole knowledge base": [],
        "Per category (primary category)": [],
        "Generated texts": [],
    }

    def add(section: str, path: str, content: str | bytes, label: str) -> None:
        files[path] = content
        size = len(content.encode("utf-8") if isinstance(content, str) else content)
        sections[section].append(DownloadFile(path, label, size))

    def bib(ids: list[str]) -> str:
        # NOTE: the same text as kb.bibtex.bibtex_library (a test checks it), from the entries
        # the paper pages already made, instead of formatting every entry a second time.
        return "\n".join(ctx.bibtex[pid] for pid in ids)

    whole = "The whole knowledge base"
    add(whole, "downloads/mllm-xai-kb.bib", bib(list(ctx.papers)), "Every record as BibTeX")
    add(
        whole,
        "downloads/mllm-xai-kb.csl.json",
        json.dumps(csl_items(papers, tax), ensure_ascii=False, indent=2) + "\n",
        "Every record as CSL-JSON (Zotero, Pandoc)",
    )
    add(
        whole,
        "downloads/mllm-xai-kb.graph.json",
        json.dumps(node_link(ctx.graph), ensure_ascii=False, sort_keys=True) + "\n",
        "The knowledge graph (papers, methods, categories, models, modalities and the links "
        "between them) as node-link JSON",
    )
    add(
        whole,
        "downloads/mllm-xai-kb.graphml",
        graphml(ctx.graph),
        "The same graph as GraphML (Gephi, Cytoscape, yEd)",
    )
    related: dict[str, str] = {}
    for leaf in tax.leaves:
        ids = [pid for pid in ctx.papers_under.get(leaf, []) if ctx.papers[pid].leaf == leaf]
        if not ids:
            continue
        name = tax.perspectives[leaf].name
        add(
            "Per category (primary category)",
            f"downloads/categories/{leaf}.bib",
            bib(ids),
            f"{name}: {len(ids)} papers as BibTeX",
        )
        related[f"related-work/{leaf}.md"] = related_work(ctx.kb, leaf, "md")
        related[f"related-work/{leaf}.tex"] = related_work(ctx.kb, leaf, "tex")
    texts = "Generated texts"
    formats: tuple[tuple[Literal["tex", "md"], str], ...] = (
        ("tex", "LaTeX, with references.bib (latexmk -pdf)"),
        ("md", "pandoc Markdown, with references.json (pandoc --citeproc)"),
    )
    for fmt, label in formats:
        generated = survey(ctx.kb, fmt)
        name = "latex" if fmt == "tex" else "markdown"
        add(
            texts,
            f"downloads/survey-{name}.zip",
            _zip({f"survey/{n}": text for n, text in generated.files.items()}),
            f"The generated survey in {label}",
        )
    if related:
        add(
            texts,
            "downloads/related-work.zip",
            _zip(related),
            "A related-work section per category, in Markdown and LaTeX",
        )
    return files, list(sections.items())


def docs_tree(
    kb: KnowledgeBase,
    site_dir: str = "site",
    site_url: str | None = None,
    sources: Path = assets.SITE_SOURCES,
    node_modules: Path = assets.NODE_MODULES,
) -> DocsTree:
    """Every page and file of the site for `kb`, whose records must all have validated."""
    ctx = site_context(kb, site_url)
    tree = builder_tree(ctx, site_dir, sources, node_modules)
    return replace(tree, papers=paper_pages(ctx))


def builder_tree(
    ctx: SiteContext,
    site_dir: str = "site",
    sources: Path = assets.SITE_SOURCES,
    node_modules: Path = assets.NODE_MODULES,
) -> DocsTree:
    """The docs tree the builder needs: every file but the papers' pages.

    `kb build` renders the papers' pages (`paper_pages`) while the builder runs.
    """
    kb = ctx.kb
    site_url = ctx.site_url
    first_party, overrides = assets.first_party(sources)
    third_party = assets.vendor(node_modules)
    notes: list[str] = []
    if third_party is None:
        notes.append(
            f"graph library missing ({node_modules} has no sigma/graphology): run `npm ci` in "
            "the repository; the graph page says so until then"
        )
    download_files, download_sections = _downloads(ctx)
    docs: dict[str, str | bytes] = {}
    docs.update(render_pages(ctx, _gap_table(ctx), download_sections, third_party is not None))
    docs.update(
        {f"{DATA}/explorer/{name}": blob for name, blob in data.explorer_files(ctx).items()}
    )
    docs.update({f"{DATA}/papers/{name}": text for name, text in data.paper_shards(ctx).items()})
    docs.update({f"{DATA}/graph/{name}": text for name, text in data.graph_files(ctx).items()})
    docs.update(download_files)
    docs.update({f"{ASSETS}/{name}": content for name, content in first_party.items()})
    if third_party is not None:
        docs.update({f"{ASSETS}/vendor/{name}": content for name, content in third_party.items()})
    return DocsTree(
        docs=docs,
        overrides=overrides,
        config=mkdocs_config(kb.taxonomy, site_dir, site_url),
        graph_library=third_party is not None,
        notes=notes,
    )
