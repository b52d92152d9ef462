"""The built site in a real browser: navigation, tables, search, explorer, graph, copying,
security (CSP, hostile records, no foreign requests) and accessibility (axe-core)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import bibtexparser
import pytest

from tests.browser.conftest import ARTIFACTS, Watch
from tests.conftest import REPO

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
IDS = ["belrose2023eliciting", "doe2024probing", "evil2025img", "roe2025video"]


def test_the_home_page_renders_its_figures_and_the_taxonomy(page: Any, base_url: str) -> None:
    page.goto(base_url)
    assert page.locator("h1").inner_text() == "Explainability of multimodal large language models"
    figures = page.locator(".kb-figure strong").all_inner_texts()
    assert figures[0] == "4"
    assert page.locator(".kb-tree a", has_text="Layer level").count() == 1
    assert page.title() == "MLLM-XAI-KB"


def test_a_leaf_page_is_reached_from_the_home_page(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.locator(".kb-tree a", has_text="Layer level").click()
    page.wait_for_url(re.compile(r"/taxonomy/model\.layer/$"))
    assert page.locator("article h1").inner_text() == "Layer level"
    assert page.locator("table.kb-matrix tbody tr.kb-main").count() == 2


def _first_column(page: Any, table: str) -> list[str]:
    texts: list[str] = page.locator(f"{table} tbody tr.kb-main td:first-child a").all_inner_texts()
    return texts


def test_the_comparison_matrix_sorts_by_a_column_both_ways(page: Any, base_url: str) -> None:
    page.goto(base_url + "taxonomy/model.layer/")
    table = "table.kb-matrix"
    header = page.locator(table).locator("th", has_text="Paper")
    header.locator("button").click()
    ascending = _first_column(page, table)
    assert ascending == sorted(ascending, key=str.lower)
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert _first_column(page, table) == list(reversed(ascending))
    assert header.get_attribute("aria-sort") == "descending"


def _rows(page: Any) -> list[str]:
    """(id suffix of) every row of the matrix in order, details included, visible or not."""
    ids: list[str] = page.locator("table.kb-matrix tbody tr").evaluate_all(
        "rows => rows.map(r => r.id.replace(/^matrix-[^-]+-/, '') + (r.hidden ? ' hidden' : ''))"
    )
    return ids


def test_the_matrix_sorts_by_a_trade_off_and_keeps_each_detail_under_its_row(
    page: Any, base_url: str
) -> None:
    page.goto(base_url + "taxonomy/model/")
    header = page.locator("table.kb-matrix th", has_text="Training-free")
    assert header.get_attribute("title") == (
        "Does the method work without training or fine-tuning any model or probe?"
    )
    header.locator("button").click()  # ascending: not stated first, yes last
    rows = _rows(page)
    assert rows == [
        "belrose2023eliciting",
        "belrose2023eliciting-detail hidden",
        "doe2024probing",
        "doe2024probing-detail hidden",
    ]
    header.locator("button").click()
    assert _rows(page)[0] == "doe2024probing"
    assert _rows(page)[1] == "doe2024probing-detail hidden"


def test_a_matrix_row_expands_to_the_tldr_strengths_and_limitations(
    page: Any, base_url: str
) -> None:
    page.goto(base_url + "taxonomy/model.layer/")
    detail = page.locator("#matrix-model-layer-doe2024probing-detail")
    assert detail.is_hidden()
    toggle = page.locator("#matrix-model-layer-doe2024probing button.kb-expand")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert detail.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    text = detail.inner_text()
    assert "Logit-lens readings of LLaVA's image tokens name objects" in text
    assert "Strengths" in text and "Limitations" in text
    toggle.click()
    assert detail.is_hidden()


def test_the_matrix_filters_papers_by_a_trade_off_answer(page: Any, base_url: str) -> None:
    page.goto(base_url + "taxonomy/data/")
    bar = page.locator(".kb-matrix-filter")
    assert bar.is_visible()
    assert bar.locator(".kb-filter-count").inner_text() == "2 of 2 papers shown"
    bar.locator(".kb-filter-property").select_option("compute-cost")
    answers = bar.locator(".kb-filter-answer option").all_inner_texts()
    assert answers == ["any answer", "low", "medium", "high", "not stated"]
    bar.locator(".kb-filter-answer").select_option("medium")
    assert bar.locator(".kb-filter-count").inner_text() == "1 of 2 papers shown"
    assert page.locator(
        "table.kb-matrix tr.kb-main:visible td:first-child a"
    ).all_inner_texts() == ["Counting Hallucinated Events in Video Language Models"]
    bar.locator(".kb-filter-property").select_option("training-free")
    bar.locator(".kb-filter-answer").select_option("partial")
    assert bar.locator(".kb-filter-count").inner_text() == "1 of 2 papers shown"
    bar.locator(".kb-filter-answer").select_option("none")
    assert page.locator("table.kb-matrix tr.kb-main:visible").count() == 1
    assert HOSTILE_TITLE in page.locator("table.kb-matrix tr.kb-main:visible").inner_text()
    bar.locator(".kb-filter-property").select_option("")
    assert bar.locator(".kb-filter-count").inner_text() == "2 of 2 papers shown"


def test_a_leaderboard_ranks_results_best_first_and_links_each_to_its_place(
    page: Any, base_url: str
) -> None:
    page.goto(base_url + "benchmarks/")
    page.locator("table a", has_text="FixtureBench").click()
    page.wait_for_url(re.compile(r"/benchmarks/fixture-bench/$"))
    assert "Settings differ between papers" in page.locator(".kb-warning").inner_text()
    board = page.locator("table.kb-board").first
    values = board.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert values == ["99.5", "85.25", "61.5"]
    changes = board.locator("tbody tr td:nth-child(7)").all_inner_texts()
    assert changes == ["+87.25", "+5.25", "\u22122.5"]
    board.locator("tbody tr").nth(1).locator("a", has_text="Table 2").click()
    page.wait_for_url(re.compile(r"/papers/doe2024probing/#results$"))
    assert "85.25" in page.locator("table.kb-results").inner_text()


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize(
    "path",
    [
        "taxonomy/model.layer/",
        "taxonomy/data/",
        "papers/doe2024probing/",
        "benchmarks/fixture-bench/",
    ],
)
def test_comparison_pages_do_not_scroll_sideways(
    page: Any, base_url: str, path: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_the_statistics_page_shows_the_screening_flow_and_the_evidence(
    page: Any, base_url: str
) -> None:
    page.goto(base_url + "statistics/")
    flow = page.locator("table.kb-flow tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in flow] == [
        "Identified in Reading list 3",
        "Identified in Searches of arXiv 1",
        "Identified in <script>alert('list')</script> list 1",
        "Distinct works screened 5",
        "Excluded: out-of-scope 1",
        "Excluded: not-multimodal 1",
        "Excluded: superseded 1",
        "Deferred to a later round 1",
        "Included as records 1",
    ]
    assert "Records with located results" in page.locator("article").inner_text()


def test_search_finds_a_paper_by_a_word_only_in_its_summary(page: Any, base_url: str) -> None:
    page.goto(base_url + "search/?q=quokkafication")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=10_000)
    assert result.get_attribute("href").endswith("/papers/doe2024probing/")
    assert page.locator("li.pagefind-ui__result").count() == 1
    result.click()
    page.wait_for_url(re.compile(r"/papers/doe2024probing/$"))


@pytest.mark.parametrize(
    ("query", "paper"),
    [
        ("affine translator", "belrose2023eliciting"),  # the first bundle
        ("quokkafication", "doe2024probing"),  # pagefind-parts/1/
        ("clips", "roe2025video"),  # pagefind-parts/3/
    ],
)
def test_search_finds_papers_in_every_bundle_of_a_split_index(
    page: Any, base_url: str, site: Path, query: str, paper: str
) -> None:
    assert (site / "pagefind-parts" / "3").is_dir()
    page.goto(base_url + "search/?q=" + query)
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=10_000)
    assert result.get_attribute("href").endswith(f"/papers/{paper}/")


def _explorer(page: Any, base_url: str) -> None:
    page.goto(base_url + "explorer/")
    page.locator("#kb-explorer[data-ready=true]").wait_for()


def _count(page: Any) -> int:
    """The explorer's count once the update started by the last action has finished."""
    page.locator("#kb-explorer[data-busy=false]").wait_for()
    return int(page.locator("#kb-explorer-count").get_attribute("data-count"))


def test_a_facet_narrows_the_explorer_count(page: Any, base_url: str) -> None:
    _explorer(page, base_url)
    assert _count(page) == 4
    page.locator("[data-facet=modality] label", has_text="Video").locator("input").check()
    assert _count(page) == 1
    assert page.locator("#kb-explorer-table tbody tr").count() == 1
    page.locator("#kb-has-code").check()
    assert _count(page) == 0
    page.locator("#kb-has-code").uncheck()
    page.fill("#kb-explorer-q", "nothing matches this")
    assert _count(page) == 0
    page.fill("#kb-explorer-q", "")
    page.locator("[data-facet=modality] label", has_text="Video").locator("input").uncheck()
    page.fill("#kb-year-from", "2025")
    assert _count(page) == 2
    counts = page.locator("[data-facet=venue] .kb-facet-count").all_inner_texts()
    assert counts == ["(1)", "(0)", "(1)"]


def test_the_word_filter_matches_word_beginnings_in_titles_authors_and_ids(
    page: Any, base_url: str
) -> None:
    _explorer(page, base_url)
    page.fill("#kb-explorer-q", "hallucin")
    assert _count(page) == 1
    assert page.locator("#kb-explorer-table a").inner_text() == (
        "Counting Hallucinated Events in Video Language Models"
    )
    page.fill("#kb-explorer-q", "BELROSE")
    assert _count(page) == 1
    page.fill("#kb-explorer-q", "doe2024probing")
    assert _count(page) == 1
    page.fill("#kb-explorer-q", "allucinated")
    assert _count(page) == 0
    page.fill("#kb-explorer-q", "x")
    assert _count(page) == 4


def test_the_explorer_honours_a_category_link(page: Any, base_url: str) -> None:
    page.goto(base_url + "explorer/#node=model&q=probing")
    page.locator("#kb-explorer[data-ready=true]").wait_for()
    assert _count(page) == 1


def test_a_selection_downloads_as_bibtex_that_parses_and_as_csl_json(
    page: Any, base_url: str, tmp_path: Path
) -> None:
    _explorer(page, base_url)
    page.click("#kb-select-all")
    assert page.locator("#kb-selected-count").inner_text() == "4 selected"
    with page.expect_download() as download:
        page.click("#kb-download-bib")
    saved = tmp_path / "selection.bib"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "selection.bib"
    library = bibtexparser.parse_string(saved.read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    assert [entry.key for entry in library.entries] == IDS
    page.locator("#kb-explorer-table tbody tr").first.locator("input").uncheck()
    with page.expect_download() as download:
        page.click("#kb-download-csl")
    items = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [item["id"] for item in items] == IDS[1:]


def test_the_graph_draws_nodes_and_a_click_opens_the_node_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "graph/")
    page.locator("#kb-graph-app[data-ready=true]").wait_for()
    status = page.locator("#kb-graph-status")
    assert int(status.get_attribute("data-nodes")) == 4 + 4
    page.locator("#kb-graph").scroll_into_view_if_needed()
    point = page.evaluate(
        """(key) => {
            const {graph, renderer} = window.kbGraph;
            const shown = renderer.getNodeDisplayData(key);
            const spot = renderer.graphToViewport(graph.getNodeAttributes(key));
            const box = document.getElementById("kb-graph").getBoundingClientRect();
            return {x: box.left + spot.x, y: box.top + spot.y, hidden: !!shown.hidden};
        }""",
        "paper:doe2024probing",
    )
    assert not point["hidden"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "graph-before-click.png"))
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/papers/doe2024probing/$"))


def test_the_graph_filters_by_link_kind_and_category(page: Any, base_url: str) -> None:
    page.goto(base_url + "graph/")
    page.locator("#kb-graph-app[data-ready=true]").wait_for()
    page.locator("input[name=category][value=method]").uncheck()
    assert page.locator("#kb-graph-status").get_attribute("data-nodes") == "4"
    page.locator("input[name=category][value='data.benchmark']").uncheck()
    assert page.locator("#kb-graph-status").get_attribute("data-nodes") == "3"
    page.locator("input[name=edge][value=cites]").uncheck()
    assert page.locator("#kb-graph-status").get_attribute("data-edges") == "0"


def test_the_copy_button_copies_the_bibtex_entry(page: Any, base_url: str) -> None:
    page.goto(base_url + "papers/doe2024probing/")
    expected = page.locator("#bibtex-doe2024probing").inner_text()
    page.click("button.kb-copy")
    page.locator(".kb-copy-status", has_text="Copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == expected
    assert copied.startswith("@inproceedings{doe2024probing,")


PAGES = [
    "",
    "taxonomy/",
    "taxonomy/model/",
    "taxonomy/model.layer/",
    "taxonomy/model.neuron/",
    "taxonomy/data.input-output/",
    "papers/doe2024probing/",
    "papers/evil2025img/",
    "methods/",
    "methods/perturbation/",
    "methods/tuned-lens/",
    "models/",
    "models/evil-model/",
    "benchmarks/",
    "benchmarks/evil-bench/",
    "benchmarks/fixture-bench/",
    "papers/evil2025img/",
    "explorer/",
    "graph/",
    "statistics/",
    "search/?q=img",
    "contribute/",
    "downloads/",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_logs_an_error_runs_hostile_code_or_calls_another_host(
    page: Any, base_url: str, watch: Watch, path: str
) -> None:
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src=x], svg[onload], iframe").count() == 0
    # The page fixture fails the test on console errors (CSP violations included), dialogs
    # and requests to any host but the local server.
    assert watch.foreign == []


def test_the_hostile_title_is_shown_as_text_everywhere(page: Any, base_url: str) -> None:
    page.goto(base_url + "papers/evil2025img/")
    assert page.locator("article h1").inner_text() == HOSTILE_TITLE
    assert page.title() == f"{HOSTILE_TITLE} - MLLM-XAI-KB"
    assert "<script>alert('summary')</script>" in page.locator(".kb-summary").inner_text()
    page.goto(base_url)
    assert page.locator(".kb-paper-list a", has_text=HOSTILE_TITLE).count() == 1
    _explorer(page, base_url)
    assert page.locator("#kb-explorer-table a", has_text=HOSTILE_TITLE).count() == 1
    page.goto(base_url + "search/?q=onerror")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
    assert HOSTILE_TITLE in page.locator(".pagefind-ui__results").inner_text()


@pytest.mark.parametrize("path", ["", "taxonomy/model.layer/", "papers/doe2024probing/"])
def test_axe_finds_no_critical_accessibility_violation(page: Any, base_url: str, path: str) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run npm ci (bash scripts/test does)")
    page.goto(base_url + path)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    critical = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results["violations"]
        if v["impact"] == "critical"
    ]
    assert critical == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"axe-{path.strip('/').replace('/', '_') or 'home'}.json"
    report.write_text(json.dumps(results["violations"], indent=1), encoding="utf-8")


def test_show_more_is_hidden_when_the_explorer_lists_every_match(page: Any, base_url: str) -> None:
    _explorer(page, base_url)
    assert _count(page) == len(IDS)
    more = page.locator("#kb-explorer-more")
    assert more.get_attribute("hidden") is not None
    assert more.is_hidden()
