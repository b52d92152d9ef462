"""The docs tree: every file MkDocs (or Zensical) needs, as values, before anything is written.

`docs_tree` is pure apart from reading the front-end sources: it takes the validated knowledge
base and returns the Markdown pages, data files, downloads, assets, theme overrides and the
`mkdocs.yml` text. Writing them and running the builders is `kb.site.build`'s job.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from kb.core.validate import KnowledgeBase
from kb.export.csl import csl_json
from kb.export.survey import survey
from kb.export.synthesis import related_work
from kb.graph.formats import graphml, node_link
from kb.graph.gaps import gaps
from kb.site import assets, data
from kb.site.config import mkdocs_config
from kb.site.context import SiteContext, site_context
from kb.site.pages import DownloadFile, PaperPage, paper_pages, render_pages
from kb.site.routes import ASSETS, DATA

__all__ = ["DocsTree", "builder_tree", "docs_tree", "published_files"]


@dataclass(frozen=True)
class DocsTree:
    """A complete MkDocs project: `docs/` files, theme overrides and the config text."""

    docs: dict[str, str | bytes]
    overrides: dict[str, bytes]
    config: str
    graph_library: bool
    notes: list[str] = field(default_factory=list)
    papers: dict[str, PaperPage] = field(default_factory=dict)
    published: dict[str, str | bytes] = field(default_factory=dict)

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


@dataclass(frozen=True)
class _Download:
    """A file of the Downloads page, and how to make its content."""

    section: str
    path: str
    label: str
    make: Callable[[], str | bytes]


def _downloads(ctx: SiteContext) -> list[_Download]:
    """The Downloads page's files, in page order; nothing is generated until `make` is called.

    NOTE: Markdown downloads travel in zip archives: a `.md` file in the docs tree would be
    turned into a page by the builder instead of being published as it is.
    """
    tax = ctx.taxonomy
    whole, per_leaf, texts = (
        "The whole knowledge base",
        "Per category (primary category)",
        "Generated texts",
    )

    def bib(ids: list[str]) -> Callable[[], str]:
        # NOTE: the same text as kb.bibtex.bibtex_library (a test checks it), from the entries
        # the paper pages already made, instead of formatting every entry a second time.
        return lambda: "\n".join(ctx.bibtex[pid] for pid in ids)

    files = [
        _Download(
            whole, "downloads/mllm-xai-kb.bib", "Every record as BibTeX", bib(list(ctx.papers))
        ),
        _Download(
            whole,
            "downloads/mllm-xai-kb.csl.json",
            "Every record as CSL-JSON (Zotero, Pandoc)",
            lambda: csl_json(ctx.papers.values(), tax) + "\n",
        ),
        _Download(
            whole,
            "downloads/mllm-xai-kb.graph.json",
            "The knowledge graph (papers, methods, categories, models, modalities and the links "
            "between them) as node-link JSON",
            lambda: _json(node_link(ctx.graph), sort_keys=True),
        ),
        _Download(
            whole,
            "downloads/mllm-xai-kb.graphml",
            "The same graph as GraphML (Gephi, Cytoscape, yEd)",
            lambda: graphml(ctx.graph),
        ),
    ]
    leaves: list[str] = []
    for leaf in tax.leaves:
        ids = [pid for pid in ctx.papers_under.get(leaf, []) if ctx.papers[pid].leaf == leaf]
        if ids:
            leaves.append(leaf)
            name = tax.perspectives[leaf].name
            files.append(
                _Download(
                    per_leaf,
                    f"downloads/categories/{leaf}.bib",
                    f"{name}: {len(ids)} papers as BibTeX",
                    bib(ids),
                )
            )
    formats: tuple[tuple[Literal["tex", "md"], str, str], ...] = (
        ("tex", "latex", "LaTeX, with its BibTeX bibliography (latexmk -pdf)"),
        ("md", "markdown", "pandoc Markdown, with its CSL-JSON bibliography (pandoc --citeproc)"),
    )
    for fmt, name, label in formats:
        files.append(
            _Download(
                texts,
                f"downloads/survey-{name}.zip",
                f"The generated survey in {label}",
                functools.partial(_survey_zip, ctx, fmt),
            )
        )
    if leaves:
        files.append(
            _Download(
                texts,
                "downloads/related-work.zip",
                "A related-work section per category, in Markdown and LaTeX",
                functools.partial(_related_zip, ctx, leaves),
            )
        )
    return files


def _json(value: object, indent: int | None = None, sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys) + "\n"


def _survey_zip(ctx: SiteContext, fmt: Literal["tex", "md"]) -> bytes:
    generated = survey(ctx.kb, fmt)
    return _zip({f"survey/{n}": text for n, text in generated.files.items()})


def _related_zip(ctx: SiteContext, leaves: list[str]) -> bytes:
    texts: dict[str, str] = {}
    for leaf in leaves:
        texts[f"related-work/{leaf}.md"] = related_work(ctx.kb, leaf, fmt="md")
        texts[f"related-work/{leaf}.tex"] = related_work(ctx.kb, leaf, fmt="tex")
    return _zip(texts)


def _download_sections(downloads: list[_Download]) -> list[tuple[str, list[DownloadFile]]]:
    """The sections of the Downloads page; sizes are markers `fill_sizes` replaces."""
    sections: dict[str, list[DownloadFile]] = {
        "The whole knowledge base": [],
        "Per category (primary category)": [],
        "Generated texts": [],
    }
    for download in downloads:
        sections[download.section].append(DownloadFile(download.path, download.label))
    return list(sections.items())


def published_files(ctx: SiteContext) -> Iterator[tuple[str, str | bytes]]:
    """The files published as they are, beside the builder's HTML: downloads and data.

    NOTE: they take no part in the builder's work, so `kb build` makes them while the builder
    runs. They come one at a time, so that a large knowledge base's downloads (hundreds of
    megabytes at 100,000 papers) need not be held in memory together.
    """
    for download in _downloads(ctx):
        yield download.path, download.make()
    for name, blob in data.explorer_files(ctx).items():
        yield f"{DATA}/explorer/{name}", blob
    for name, text in data.paper_shards(ctx).items():
        yield f"{DATA}/papers/{name}", text
    for name, text in data.graph_files(ctx).items():
        yield f"{DATA}/graph/{name}", text


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
    return replace(tree, papers=paper_pages(ctx), published=dict(published_files(ctx)))


def builder_tree(
    ctx: SiteContext,
    site_dir: str = "site",
    sources: Path = assets.SITE_SOURCES,
    node_modules: Path = assets.NODE_MODULES,
) -> DocsTree:
    """The docs tree the builder needs: the Markdown pages, assets and theme overrides.

    `kb build` renders the papers' pages (`paper_pages`) and the published files
    (`published_files`) while the builder runs.
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
    sections = _download_sections(_downloads(ctx))
    docs: dict[str, str | bytes] = {}
    docs.update(render_pages(ctx, _gap_table(ctx), sections, third_party is not None))
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
