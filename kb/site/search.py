"""The search index: Pagefind over the built HTML, in bundles of a bounded number of pages.

Pagefind keeps every word it indexes in memory until it writes its bundle: about 150 KB a
paper page of synthetic text, so one run over 100,000 papers needed 10 GB. The pages are
therefore indexed in batches of `PAGES_PER_BUNDLE`, each by its own Pagefind run into its own
bundle, and the search page merges the bundles in the browser (Pagefind's `mergeIndex`): a
query loads each bundle's small metadata and only the index chunks its words fall in.

The first bundle (`pagefind/`, which also holds Pagefind's scripts) has every page that is
not a paper's and the first batch of papers, in order of id; the others are
`pagefind-parts/<n>/`. `bundle_parts` names them from the number of papers alone, so the
search page (rendered before any HTML exists) lists exactly the bundles `index_site` writes.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from pathlib import Path

from kb.core.problems import Problem
from kb.site.tools import run_tool

__all__ = ["PAGES_PER_BUNDLE", "PARTS", "PRIMARY", "bundle_parts", "index_site", "page_batches"]

PRIMARY = "pagefind"
PARTS = "pagefind-parts"
# NOTE: about 1.5 GB of Pagefind memory for 10,000 synthetic paper pages, measured; real
# records repeat their words more and need less.
PAGES_PER_BUNDLE = 10_000


def bundle_parts(paper_count: int) -> list[str]:
    """The site-relative folders (ending in /) of the bundles merged into the first one."""
    batches = max(1, math.ceil(paper_count / PAGES_PER_BUNDLE))
    return [f"{PARTS}/{number}/" for number in range(1, batches)]


def page_batches(site: Path) -> list[list[str]]:
    """The site-relative HTML files each bundle indexes; `site` holds no bundle yet."""
    papers = sorted(str(path.relative_to(site)) for path in (site / "papers").glob("*/index.html"))
    paper_set = set(papers)
    others = sorted(
        relative
        for path in site.rglob("*.html")
        if (relative := str(path.relative_to(site))) not in paper_set
    )
    size = PAGES_PER_BUNDLE
    batches = [papers[start : start + size] for start in range(0, len(papers), size)]
    if not batches:
        batches = [[]]
    batches[0] = others + batches[0]
    return batches


def index_site(site: Path) -> Problem | None:
    """Write the search bundles of the built `site` into it: a problem if Pagefind fails."""
    site = site.resolve()
    batches = page_batches(site)
    if len(batches) == 1:
        return _pagefind(site, site / PRIMARY)
    work = site.with_name(f"{site.name}.search")
    try:
        for number, pages in enumerate(batches):
            shutil.rmtree(work, ignore_errors=True)
            _link_pages(site, pages, work)
            bundle = site / (PRIMARY if number == 0 else f"{PARTS}/{number}")
            failed = _pagefind(work, bundle)
            if failed:
                return failed
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return None


def _link_pages(site: Path, pages: list[str], work: Path) -> None:
    """Mirror `pages` of `site` under `work` (hard links; copies where links fail), so that
    Pagefind run on `work` sees the same URLs and nothing else."""
    for relative in pages:
        target = work / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / relative, target)
        except OSError:
            shutil.copyfile(site / relative, target)


def _pagefind(site: Path, bundle: Path) -> Problem | None:
    command = [
        sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle),
        "--silent",
    ]  # fmt: skip
    return run_tool(command, site, "pagefind", site)
