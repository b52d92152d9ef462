"""Building the site: write the docs tree, run MkDocs (or Zensical), then Pagefind.

This is the only module of `kb.site` that touches the file system or runs programs. A build
refuses output directories it did not make, writes the docs tree into a staging directory
that replaces the old one only when complete, and reports failures as `Problem` values.
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import gzip
import hashlib
import html
import json
import os
import re
import shutil
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kb.core.pipeline import load_knowledge_base
from kb.core.problems import Problem
from kb.site.context import SiteContext, site_context
from kb.site.pages import PaperPage, PaperPages, fill_sizes
from kb.site.routes import paper_page, url_of
from kb.site.search import index_site
from kb.site.shell import SHELL_PAGE, Shell, parse_shell
from kb.site.tools import run_tool
from kb.site.tree import DocsTree, builder_tree, published_files

__all__ = [
    "DOCS_MARKER",
    "SITE_MARKER",
    "BuildReport",
    "Builder",
    "build_site",
    "check_target",
    "move_published",
    "run_builder",
    "write_docs_tree",
    "write_files",
    "write_paper_pages",
    "write_sitemap",
]

Builder = Literal["mkdocs", "zensical"]
SITE_MARKER = ".kb-site"
PAGES_MANIFEST = ".kb-pages.json"
DOCS_MARKER = ".kb-docs"


@dataclass(frozen=True)
class BuildReport:
    """What a successful build made, and how long each stage took (seconds)."""

    output: Path
    docs: Path
    pages: int
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _holds_knowledge_base(folder: Path) -> bool:
    return (folder / "taxonomy" / "perspectives.yaml").exists() or any(
        (folder / "papers").glob("*.yaml")
    )


def check_target(path: Path, marker: str, root: Path) -> Problem | None:
    """A problem when writing `path` could destroy something that `kb build` did not make.

    A build empties its output directories, so they must be new, empty, or marked by an
    earlier build; never the knowledge base or a folder above it.
    """
    target = path.resolve()
    base = root.resolve()
    if target == base or target in base.parents or _holds_knowledge_base(target):
        return Problem(
            "unsafe-output",
            str(path),
            "refusing to build into the knowledge base or a folder that holds it",
            hint="pass an output directory of its own, e.g. -o site-build",
        )
    if target.exists() and not target.is_dir():
        return Problem("unsafe-output", str(path), "exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / marker).exists():
        return Problem(
            "unsafe-output",
            str(path),
            "is not empty and was not made by kb build, so it is left alone",
            hint="choose a new or empty directory, or delete this one first",
        )
    return None


def write_docs_tree(tree: DocsTree, target: Path) -> None:
    """Write `tree` (docs/, overrides/, mkdocs.yml) to `target`, replacing an older tree.

    NOTE: the tree is a build output of possibly 100,000 files, so files are written without
    the per-file fsync of `kb.write.write_atomic`; atomicity comes from building the whole
    tree in a staging directory and swapping it in by rename.
    """
    staging = target.with_name(f".{target.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    for base, files in (("docs", tree.docs), ("overrides", tree.overrides)):
        for relative, content in files.items():
            path = staging / base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8", newline="\n")
            else:
                path.write_bytes(content)
    (staging / "mkdocs.yml").write_text(tree.config, encoding="utf-8")
    (staging / DOCS_MARKER).write_text("made by kb build; deleted and rewritten by it\n")
    swap_in(staging, target)


def swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by the finished `staging` directory with renames, never half-way."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)


@contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock for building into `output`; a second build waits its turn.

    NOTE: two builds writing one folder at once would interleave their files; a lock file
    beside the folder (flock, released by the kernel if a build dies) serialises them.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    with (output.parent / f".{output.name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_builder(docs: Path, output: Path, builder: Builder) -> Problem | None:
    """Turn the docs tree in `docs` into HTML in `output` with MkDocs or Zensical."""
    docs, output = docs.resolve(), output.resolve()
    config = docs / "mkdocs.yml"
    if builder == "mkdocs":
        command = [
            sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(output),
        ]  # fmt: skip
        return run_tool(command, docs, "mkdocs build", config)
    # NOTE: Zensical only writes inside the project (site_dir "site" of the generated config),
    # so its output is moved into place afterwards.
    command = [sys.executable, "-m", "zensical", "build", "--clean", "-f", str(config)]
    failed = run_tool(command, docs, "zensical build", config)
    if failed is None:
        shutil.rmtree(output, ignore_errors=True)
        shutil.move(docs / "site", output)
    return failed


def build_site(
    root: Path,
    output: Path,
    docs: Path,
    builder: Builder = "mkdocs",
    search: bool = True,
    site_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport | list[Problem]:
    """Validate the knowledge base under `root`, then build its site into `output`.

    Returns the problems instead when any record is invalid (nothing is written then), when
    an output directory is unsafe, or when a tool fails.
    """
    with build_lock(output.resolve()):
        return _build_site(root, output, docs, builder, search, site_url, progress or _say_nothing)


def _say_nothing(message: str) -> None:
    """Progress goes nowhere unless a callback is given."""


def _build_site(
    root: Path,
    output: Path,
    docs: Path,
    builder: Builder,
    search: bool,
    site_url: str | None,
    say: Callable[[str], None],
) -> BuildReport | list[Problem]:
    clock = _Clock({})
    # NOTE: the HTML is built beside the output and swapped in only when complete, so a
    # failure (or Ctrl-C) half-way leaves the previous site as it was.
    staging = output.with_name(f".{output.name}.building")
    built = _build_html(root, output, docs, staging, builder, site_url, say, clock)
    if isinstance(built, list):
        shutil.rmtree(staging, ignore_errors=True)
        return built
    _release_memory()
    (staging / SITE_MARKER).write_text("made by kb build; deleted and rewritten by it\n")
    if search:
        failed = index_site(staging)
        if failed:
            shutil.rmtree(staging, ignore_errors=True)
            return [failed]
        clock.lap("pagefind")
    swap_in(staging, output)
    clock.lap("swap")
    clock.timings["total"] = clock.total()
    return BuildReport(output, docs, built, clock.timings, clock.notes)


def _release_memory() -> None:
    """Give the memory of the records, the graph and the pages (gone by now) back to the system
    before Pagefind starts, so that the two do not add up.

    NOTE: collecting the cycles frees about 2 GB at 100,000 records, but glibc keeps freed
    memory in its heap for reuse; `malloc_trim` hands it back (measured at 10,000 records: the
    process from 264 MB to 140 MB). Elsewhere than glibc the call is skipped.
    """
    gc.collect()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _build_html(
    root: Path,
    output: Path,
    docs: Path,
    staging: Path,
    builder: Builder,
    site_url: str | None,
    say: Callable[[str], None],
    clock: _Clock,
) -> int | list[Problem]:
    """Load, write the docs tree, build the HTML into `staging`: the number of pages, or the
    problems that stopped the build."""
    result = load_knowledge_base(root, keep_documents=False)
    errors = result.errors()
    if errors:
        return errors
    unsafe = [
        problem
        for problem in (
            check_target(output, SITE_MARKER, root),
            check_target(docs, DOCS_MARKER, root),
        )
        if problem is not None
    ]
    if unsafe:
        return unsafe
    clock.lap("load")
    ctx = site_context(result.kb, site_url)
    tree = builder_tree(ctx)
    clock.lap("generate")
    for note in tree.notes:
        say(f"note: {note}")
    clock.notes += tree.notes
    write_docs_tree(tree, docs)
    clock.lap("write")
    say(f"wrote the docs tree ({len(tree.pages)} pages) to {docs}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    failed = _build_with_papers(ctx, docs, staging, output, builder, clock, say)
    if failed:
        return [failed]
    return len(tree.pages) - 1 + len(ctx.papers)


class _Clock:
    """Stage timings for the build report: each lap is the time since the previous one."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.notes: list[str] = []
        self.start = self.mark = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self.mark
        self.mark = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def _build_with_papers(
    ctx: SiteContext,
    docs: Path,
    staging: Path,
    output: Path,
    builder: Builder,
    clock: _Clock,
    say: Callable[[str], None],
) -> Problem | None:
    """Run the builder and, meanwhile, render the papers' pages; then fill the shell with them.

    A paper page whose key (`PaperPages.key`) and shell are those of the previous build into
    `output` is not rendered again: the previous file is linked into the new site.

    NOTE: the builder is another process; this one waits for it in a thread (the GIL is free
    while it waits), so the two cores of a small machine work at once.
    """
    pages = PaperPages(ctx)
    keys = {pid: pages.key(pid) for pid in ctx.papers}
    previous = _previous_pages(output)
    unchanged = {pid for pid, key in keys.items() if previous.keys.get(pid) == key}
    clock.lap("keys")
    outcome: list[Problem | None] = []

    def build() -> None:
        start = time.perf_counter()
        outcome.append(run_builder(docs, staging, builder))
        clock.timings[f"{builder} (beside)"] = time.perf_counter() - start

    thread = threading.Thread(target=build, daemon=True)
    thread.start()
    # NOTE: articles are kept compressed (about a quarter of their size) until the shell
    # exists: 100,000 of them would otherwise hold a gigabyte.
    rendered = {pid: _pack(pages.page(pid)) for pid in keys if pid not in unchanged}
    clock.lap("papers")
    side = staging.with_name(f"{staging.name}.published")
    shutil.rmtree(side, ignore_errors=True)
    sizes = write_files(published_files(ctx), side)
    clock.lap("published files")
    thread.join()
    clock.lap(f"waiting for {builder}")
    if not outcome or outcome[0] is not None:
        shutil.rmtree(side, ignore_errors=True)
        return outcome[0] if outcome else Problem("build-failed", str(docs), "the builder died")
    shell_file = staging / url_of(SHELL_PAGE) / "index.html"
    try:
        built = shell_file.read_text(encoding="utf-8")
    except OSError as error:
        shutil.rmtree(side, ignore_errors=True)
        return Problem("build-failed", str(shell_file), f"no shell page: {error.strerror}")
    shell = parse_shell(built)
    if isinstance(shell, str):
        shutil.rmtree(side, ignore_errors=True)
        return Problem("build-failed", str(shell_file), shell)
    shell_digest = hashlib.blake2b(built.encode("utf-8"), digest_size=16).hexdigest()
    if shell_digest != previous.shell:
        unchanged = set()
    reused = write_paper_pages(pages, rendered, unchanged, shell, staging, output)
    shutil.rmtree(shell_file.parent)
    failed = move_published(side, staging, sizes)
    if failed:
        return failed
    manifest = {"shell": shell_digest, "keys": keys}
    (staging / PAGES_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    write_sitemap(staging, ctx.site_url, [paper_page(pid) for pid in keys])
    clock.lap("papers written")
    note = f"{len(keys) - reused} paper pages rendered, {reused} kept"
    clock.notes.append(note)
    say(note)
    return None


def _pack(page: PaperPage) -> tuple[str, bytes]:
    return page.title, zlib.compress(page.article.encode("utf-8"), 1)


def _unpack(packed: tuple[str, bytes]) -> PaperPage:
    return PaperPage(packed[0], zlib.decompress(packed[1]).decode("utf-8"))


def write_files(files: Iterable[tuple[str, str | bytes]], folder: Path) -> dict[str, int]:
    """Write each (relative path, content) under `folder`; return the size of each file."""
    sizes: dict[str, int] = {}
    for relative, content in files:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(blob)
        sizes[relative] = len(blob)
    return sizes


def move_published(side: Path, site: Path, sizes: dict[str, int]) -> Problem | None:
    """Move the published files from `side` into the built `site`, and write their sizes into
    its Downloads page."""
    for relative in sizes:
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(side / relative, target)
    shutil.rmtree(side, ignore_errors=True)
    page = site / url_of("downloads.md") / "index.html"
    try:
        filled = fill_sizes(page.read_text(encoding="utf-8"), sizes)
    except OSError as error:
        return Problem("build-failed", str(page), f"no Downloads page: {error.strerror}")
    if filled is None:
        return Problem("build-failed", str(page), "the Downloads page lists a file not made")
    page.write_text(filled, encoding="utf-8")
    return None


@dataclass(frozen=True)
class _Previous:
    """What the previous build recorded of its paper pages (nothing, if it cannot be read)."""

    shell: str = ""
    keys: dict[str, str] = field(default_factory=dict)


def _previous_pages(output: Path) -> _Previous:
    """The paper-page manifest of the site in `output`, if kb built it and it reads cleanly."""
    try:
        if not (output / SITE_MARKER).is_file():
            return _Previous()
        found = json.loads((output / PAGES_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _Previous()
    if not isinstance(found, dict):
        return _Previous()
    shell, keys = found.get("shell"), found.get("keys")
    if not isinstance(shell, str) or not isinstance(keys, dict):
        return _Previous()
    return _Previous(shell, {k: v for k, v in keys.items() if isinstance(v, str)})


def write_paper_pages(
    pages: PaperPages,
    rendered: dict[str, tuple[str, bytes]],
    unchanged: set[str],
    shell: Shell,
    site: Path,
    previous_site: Path,
) -> int:
    """Write every paper's page into `site`; return how many were kept from `previous_site`.

    A page in `unchanged` is hard-linked from the previous site (never written to, so the old
    site stays as it was until it is swapped out); one that cannot be linked is rendered.
    """
    kept = 0
    for pid in pages.ctx.papers:
        folder = site / url_of(paper_page(pid))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "index.html"
        if pid in unchanged:
            try:
                os.link(previous_site / url_of(paper_page(pid)) / "index.html", target)
                kept += 1
                continue
            except OSError:
                pass
        packed = rendered.get(pid)
        page = _unpack(packed) if packed else pages.page(pid)
        target.write_text(shell.fill(pid, page.title, page.article), encoding="utf-8")
    return kept


def write_sitemap(site: Path, site_url: str | None, papers: list[str]) -> None:
    """Put the papers' pages into the builder's sitemap in place of the shell page.

    Without a site URL the builder's sitemap is empty (a sitemap needs absolute URLs), and so
    it stays.
    """
    sitemap = site / "sitemap.xml"
    if not site_url or not sitemap.is_file():
        return
    base = site_url if site_url.endswith("/") else site_url + "/"
    text = sitemap.read_text(encoding="utf-8")
    shell = re.compile(
        r"\s*<url>\s*<loc>"
        + re.escape(html.escape(base + url_of(SHELL_PAGE)))
        + r"</loc>.*?</url>",
        re.S,
    )
    entries = "".join(
        f"\n    <url>\n         <loc>{html.escape(base + url_of(source))}</loc>\n    </url>"
        for source in papers
    )
    text = shell.sub("", text).replace("</urlset>", entries.lstrip("\n") + "\n</urlset>")
    sitemap.write_text(text, encoding="utf-8")
    packed = site / "sitemap.xml.gz"
    if packed.exists():
        packed.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
