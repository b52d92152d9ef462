"""What a first visit downloads: the first search and the explorer's first filtered result
load at most 2 MB, however large the knowledge base.

The suite runs these tests on the fixture site; `python -m benchmarks` runs them on a site of
100,000 synthetic papers (KB_BROWSER_SITE) and records the bytes (KB_WEIGHT_REPORT), since
only there do the limits bite. Bytes are response bodies as sent by the server (a plain
static server, no compression), from the page's first request on.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

LIMIT = 2 * 1024 * 1024


def _meter(page: Any) -> Callable[[], int]:
    """A function that returns the bytes of every response the page has had so far."""
    sizes: list[int] = []
    page.on("requestfinished", lambda request: sizes.append(request.sizes()["responseBodySize"]))
    return lambda: sum(sizes)


def _report(name: str, loaded: int) -> None:
    target = os.environ.get("KB_WEIGHT_REPORT")
    if target:
        path = Path(target)
        known = json.loads(path.read_text()) if path.exists() else {}
        known[name] = loaded
        path.write_text(json.dumps(known, indent=1) + "\n")


def _a_title_word(site: Path) -> str:
    """The longest word of the first paper's title: a search with results on any site."""
    rows = json.loads(
        gzip.decompress((site / "assets/kb/data/explorer/rows/0.json.gz").read_bytes())
    )
    words = re.findall(r"[^\W_]+", rows[0][1].lower())
    return max(words, key=len)


def test_the_first_search_loads_at_most_2_mb(page: Any, base_url: str, site: Path) -> None:
    loaded = _meter(page)
    page.goto(base_url + "search/?q=" + _a_title_word(site))
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=60_000)
    page.wait_for_load_state("networkidle")
    _report("first search", loaded())
    assert 0 < loaded() <= LIMIT


def test_the_explorers_first_filtered_result_loads_at_most_2_mb(
    page: Any, base_url: str, site: Path
) -> None:
    loaded = _meter(page)
    page.goto(base_url + "explorer/")
    page.locator("#kb-explorer[data-ready=true]").wait_for(timeout=60_000)
    page.locator("[data-facet=leaf] input").first.check()
    page.locator("#kb-explorer[data-busy=false]").wait_for(timeout=60_000)
    assert page.locator("#kb-explorer-table tbody tr").count() > 0
    page.wait_for_load_state("networkidle")
    _report("explorer, first facet", loaded())
    assert 0 < loaded() <= LIMIT
    page.locator("[data-facet=leaf] input").first.uncheck()
    page.fill("#kb-explorer-q", _a_title_word(site))
    page.locator("#kb-explorer[data-busy=false]").wait_for(timeout=60_000)
    assert page.locator("#kb-explorer-table tbody tr").count() > 0
    page.wait_for_load_state("networkidle")
    _report("explorer, then a word", loaded())
    assert loaded() <= LIMIT


@pytest.mark.parametrize("path", ["", "explorer/", "taxonomy/model/"])
def test_a_page_without_search_or_filter_loads_at_most_2_mb(
    page: Any, base_url: str, path: str
) -> None:
    loaded = _meter(page)
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    _report(f"page /{path}", loaded())
    assert 0 < loaded() <= LIMIT
