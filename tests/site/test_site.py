"""The website generator: escaping, links, the docs tree (a golden manifest), and real builds.

The docs tree of tests/fixtures/site (which holds hostile records) is reduced to a manifest of
routes, titles, headings, links and files and compared with tests/golden/site/manifest.json;
whole HTML is not compared, so theme updates do not churn the golden file. The built HTML is
checked for what matters: no executable inline script, a CSP on every page, no reference to
another host, every hostile string shown as text.
"""

from __future__ import annotations

import gzip
import html
import itertools
import json
import posixpath
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kb.cli.app import main
from kb.core.pipeline import load_knowledge_base
from kb.export.bibtex import bibtex_library
from kb.site import charts, data, search
from kb.site.build import PAGES_MANIFEST, SITE_MARKER, BuildReport, build_site
from kb.site.escape import html_text, md_text, safe_url, squash
from kb.site.pages import SIZE_MARKER, fill_sizes
from kb.site.routes import relative, url_of
from kb.site.shell import PAPER_SECTIONS, SHELL_TITLE, parse_shell
from kb.site.tree import DocsTree, docs_tree
from tests.conftest import FIXTURES, assert_golden

SITE_KB = FIXTURES / "site"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"

printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x2FFFF)
    | st.sampled_from(list("\\`*_{}[]()#+-.!|~:><&\"'=^$% \n\t1")),
    max_size=80,
)


# --- escaping -----------------------------------------------------------------------------


@given(printable)
def test_markdown_escaped_text_renders_back_to_exactly_the_same_words(text: str) -> None:
    rendered = markdown.markdown(str(md_text(text)))
    inner = re.fullmatch(r"(?s)<p>(.*)</p>", rendered)
    shown = html.unescape(inner.group(1)) if inner else html.unescape(rendered)
    assert shown == squash(text)
    assert "<" not in (inner.group(1) if inner else rendered).replace("<p>", "")


@given(printable)
def test_html_text_leaves_no_markup_character_raw(text: str) -> None:
    escaped = str(html_text(text))
    assert not set("<>\"'") & set(escaped)
    assert html.unescape(escaped) == squash(text)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2406.11193", "https://arxiv.org/abs/2406.11193"),
        ("http://example.com/a?b=1&c=2#d", "http://example.com/a?b=1&c=2#d"),
        ('https://example.com/"><script>', "https://example.com/%22%3E%3Cscript%3E"),
        ("https://example.com/ü", "https://example.com/%C3%BC"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT://example.com/%0aalert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//example.com/x", None),
        ("/papers/x/", None),
        ("https://example.com/a b", None),
        (None, None),
    ],
)
def test_only_http_and_https_urls_become_links(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


# --- routes -------------------------------------------------------------------------------

SOURCES = st.sampled_from(
    [
        "index.md",
        "explorer.md",
        "papers/abc2024x.md",
        "methods/index.md",
        "methods/logit-lens.md",
        "taxonomy/model.layer.md",
        "taxonomy/model/index.md",
        "assets/kb/data/explorer/index.json.gz",
        "assets/kb/kb.css",
    ]
)


@given(SOURCES.filter(lambda source: source.endswith(".md")), SOURCES)
def test_a_relative_link_resolves_to_the_target_from_the_page_url(here: str, there: str) -> None:
    link = relative(here, there)
    resolved = posixpath.normpath(posixpath.join("/" + url_of(here), link))
    assert resolved.rstrip("/") == ("/" + url_of(there)).rstrip("/")
    assert not link.startswith("/")


# --- the docs tree ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> DocsTree:
    result = load_knowledge_base(SITE_KB)
    assert not result.errors()
    return docs_tree(result.kb)


def _front_matter(page: str) -> dict[str, object]:
    match = re.match(r"---\n(.*?)\n---\n", page, re.S)
    assert match, page[:200]
    loaded = yaml.safe_load(match.group(1))
    assert isinstance(loaded, dict)
    return loaded


def _manifest(tree: DocsTree) -> dict[str, object]:
    pages: dict[str, object] = {}
    for path in tree.pages:
        text = str(tree.docs[path])
        headings = [
            html.unescape(line.lstrip("#").strip())
            for line in text.splitlines()
            if re.match(r"#{1,3} ", line)
        ]
        pages[path] = {
            "title": _front_matter(text).get("title"),
            "headings": headings,
            "links": _links(text),
        }
    for path, paper in tree.papers.items():
        headings = re.findall(r"<h[123][^>]*>(.*?)</h[123]>", paper.article)
        pages[path] = {
            "title": paper.title,
            "headings": [html.unescape(heading) for heading in headings],
            "links": _links(paper.article),
        }
    config = yaml.safe_load(tree.config)
    return {
        "nav": config["nav"],
        "plugins": config["plugins"],
        "pages": pages,
        "files": [
            path
            for path in sorted({**tree.docs, **tree.published})
            if not path.endswith(".md") and "/vendor/" not in path and not _first_party(path)
        ],
    }


def _links(text: str) -> list[str]:
    return sorted(set(re.findall(r'href="([^"]*)"', text)))


def _first_party(path: str) -> bool:
    return path.startswith("assets/kb/") and path.count("/") == 2


def test_the_docs_tree_matches_the_reviewed_manifest(tree: DocsTree) -> None:
    manifest = json.dumps(_manifest(tree), indent=1, ensure_ascii=False, sort_keys=True)
    assert_golden("site/manifest.json", manifest + "\n")


def test_the_navigation_lists_perspectives_and_categories_but_no_paper(tree: DocsTree) -> None:
    nav = json.dumps(yaml.safe_load(tree.config)["nav"])
    for leaf in (
        "taxonomy/model.layer.md",
        "taxonomy/data.benchmark.md",
        "taxonomy/model/index.md",
    ):
        assert leaf in nav
    assert "papers/" not in nav
    assert yaml.safe_load(tree.config)["plugins"] == []


def test_navigation_titles_from_the_vocabulary_are_escaped(tree: DocsTree) -> None:
    nav = json.dumps(yaml.safe_load(tree.config)["nav"])
    assert "Neuron level &lt;script&gt;alert(&#x27;nav&#x27;)&lt;/script&gt;" in nav
    assert "<script>" not in nav


def test_front_matter_titles_are_html_escaped_yaml_strings(tree: DocsTree) -> None:
    page = str(tree.docs["methods/logit-lens.md"])
    assert _front_matter(page)["title"] == "Logit lens"
    paper = tree.papers["papers/evil2025img.md"]
    assert paper.title == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in paper.article


def test_no_hostile_markup_reaches_any_page_unescaped(tree: DocsTree) -> None:
    texts = {path: str(tree.docs[path]) for path in tree.pages}
    texts.update({path: page.title + page.article for path, page in tree.papers.items()})
    for path, text in texts.items():
        for raw in ("<script>alert", "<img src=x", "<svg onload", "<iframe", "<style>", "<base "):
            assert raw not in text, (path, raw)
        assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', text)), path


def test_every_page_is_generated_and_papers_get_one_page_each(tree: DocsTree) -> None:
    assert [p for p in tree.pages if p.startswith("papers/")] == ["papers/kb-shell.md"]
    assert sorted(tree.papers) == [
        "papers/belrose2023eliciting.md",
        "papers/doe2024probing.md",
        "papers/evil2025img.md",
        "papers/roe2025video.md",
    ]
    for fixed in ("index.md", "explorer.md", "graph.md", "statistics.md", "search.md"):
        assert fixed in tree.pages
    for extra in ("contribute.md", "downloads.md", "methods/index.md", "models/index.md"):
        assert extra in tree.pages


def test_a_paper_page_carries_its_bibtex_cites_cited_by_and_related_papers(
    tree: DocsTree,
) -> None:
    page = tree.papers["papers/doe2024probing.md"].article
    assert '<code id="bibtex-doe2024probing">@inproceedings{doe2024probing,' in page
    assert 'data-copy-target="bibtex-doe2024probing"' in page
    cites, rest = page.split('<h2 id="cites">')[1].split('<h2 id="cited-by">')
    cited_by = rest.split('<h2 id="related-papers">')[0]
    assert cites.count("<li>") == 1 and "1 record of the knowledge base." in cites
    assert cited_by.count("<li>") == 2 and "2 records of the knowledge base." in cited_by
    assert '<a href="../../papers/belrose2023eliciting/">' in page
    assert "arXiv</a>" in page and 'href="https://doi.org/10.48550/arXiv.2406.00001"' in page


def test_the_whole_kb_bibtex_download_is_what_kb_bibtex_writes(tree: DocsTree) -> None:
    kb = load_knowledge_base(SITE_KB).kb
    expected = bibtex_library(list(kb.papers.values()), kb.taxonomy)
    assert tree.published["downloads/mllm-xai-kb.bib"] == expected


def _gunzip(blob: str | bytes) -> Any:
    assert isinstance(blob, bytes)
    return json.loads(gzip.decompress(blob))


def test_the_explorer_index_rows_and_shards_agree_on_positions(tree: DocsTree) -> None:
    index = _gunzip(tree.published["assets/kb/data/explorer/index.json.gz"])
    rows = _gunzip(tree.published["assets/kb/data/explorer/rows/0.json.gz"])
    ids = [row[0] for row in rows]
    assert ids == sorted(ids) and index["count"] == len(ids) == 4
    assert rows[ids.index("belrose2023eliciting")][2:] == ["Nora Belrose", 3]
    video = [mid for mid, _ in index["vocab"]["modality"]].index("video")
    assert [i for i, values in enumerate(index["modality"]) if video in values] == [
        ids.index("roe2025video")
    ]
    shard = json.loads(str(tree.published["assets/kb/data/papers/0.json"]))
    assert sorted(shard) == ids
    assert shard["roe2025video"]["csl"]["title"] == (
        "Counting Hallucinated Events in Video Language Models"
    )
    assert shard["roe2025video"]["bibtex"].startswith("@article{roe2025video,")
    leaves = [leaf for leaf, _ in index["vocab"]["leaf"]]
    assert sorted(leaves[i] for i in index["groups"]["model"]) == ["model.layer", "model.neuron"]


def test_every_word_of_a_paper_finds_it_in_its_word_shard(tree: DocsTree) -> None:
    index = _gunzip(tree.published["assets/kb/data/explorer/index.json.gz"])
    rows = _gunzip(tree.published["assets/kb/data/explorer/rows/0.json.gz"])
    kb = load_knowledge_base(SITE_KB).kb
    for place, row in enumerate(rows):
        paper = kb.papers[row[0]]
        text = f"{paper.id} {paper.title} {' '.join(paper.authors)} {paper.year}"
        for word in data.word_tokens(text):
            if len(word) < 2:
                continue
            shard = data.word_shard(word, index["word_shards"])
            deltas = _gunzip(tree.published[f"assets/kb/data/explorer/words/{shard}.json.gz"])[word]
            assert place in itertools.accumulate(deltas), (word, place)


def test_word_tokens_split_like_the_explorer() -> None:
    assert data.word_tokens("Logit-Lens: Ünïcode_words 2024, x") == [
        "logit",
        "lens",
        "ünïcode",
        "words",
        "2024",
        "x",
    ]


def test_graph_chunks_hold_exactly_the_links_among_the_papers_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(data, "GRAPH_CHUNK", 1)
    kb = load_knowledge_base(SITE_KB).kb
    from kb.site.context import site_context

    files = data.graph_files(site_context(kb))
    meta = json.loads(files["meta.json"])
    assert meta["chunks"] == [f"chunk-{n}.json" for n in range(4)]
    loaded: set[str] = set()
    links: set[tuple[str, str, str]] = set()
    for name in meta["chunks"]:
        chunk = json.loads(files[name])
        loaded |= {node[0] for node in chunk["nodes"]}
        links |= {tuple(edge) for edge in chunk["edges"]}
        assert all(a in loaded and b in loaded for a, b, _ in links)
    cites = {(a, b) for a, b, kind in links if kind == "cites"}
    assert ("paper:evil2025img", "paper:doe2024probing") in cites
    assert ("paper:doe2024probing", "paper:belrose2023eliciting") in cites
    assert len(loaded) == 4 + len(kb.taxonomy.methods)


def test_the_lineage_diagram_puts_parents_left_and_children_right() -> None:
    parents = {"b": ("a",), "c": ("b",), "d": ("b", "a")}
    names = {m: m.upper() for m in "abcd"}
    svg = str(charts.lineage_diagram("b", ("a",), ("c", "d"), parents, names, "../{}/".format))
    box = r'<rect class="kb-box[^"]*" x="([\d.]+)"[^>]*/><text[^>]*>([A-D])<'
    positions = {name: float(x) for x, name in re.findall(box, svg)}
    assert positions["A"] < positions["B"] < positions["C"] == positions["D"]
    assert 'href="../a/"' in svg and 'href="../b/"' not in svg
    assert charts.lineage_diagram("x", (), (), {}, {"x": "X"}, str) is None


# --- real builds --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("site")
    outcome = build_site(SITE_KB, base / "out", base / "docs", search=True)
    assert not isinstance(outcome, list), [p.render() for p in outcome]
    yield outcome.output


def _html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def test_every_built_page_has_the_csp_and_no_inline_script(built: Path) -> None:
    pages = _html_files(built)
    assert len(pages) > 20
    for page in pages:
        text = page.read_text()
        assert "Content-Security-Policy" in text, page
        for tag, body in re.findall(r"(<script\b[^>]*>)(.*?)</script>", text, re.S):
            assert "src=" in tag or 'type="application/json"' in tag, (page, tag)
            assert "src=" not in tag or not body.strip(), (page, tag)
        assert " style=" not in text, page
        assert "<style" not in text, page


def test_no_built_page_loads_anything_from_another_host(built: Path) -> None:
    loaders = re.compile(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", re.S)
    for page in _html_files(built):
        for tag in loaders.findall(page.read_text()):
            for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
                assert not re.match(r"(?i)(https?:)?//", url), (page, tag)
    for css in built.rglob("*.css"):
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", css.read_text()), css


def test_the_hostile_title_is_shown_as_text_in_the_built_page(built: Path) -> None:
    text = (built / "papers" / "evil2025img" / "index.html").read_text()
    assert "<title>&lt;img src=x onerror=alert(1)&gt; - MLLM-XAI-KB</title>" in text
    assert "<img src=x" not in text and "<script>alert" not in text
    assert "onerror=alert(1)" in html.unescape(text)


def test_a_paper_page_is_the_theme_page_with_its_table_of_contents(built: Path) -> None:
    page = (built / "papers" / "doe2024probing" / "index.html").read_text()
    toc = page.split('aria-label="Table of contents"')[1].split("</nav>")[0]
    assert re.findall(r'href="#([^"]+)"', toc) == [anchor for anchor, _ in PAPER_SECTIONS]
    for anchor, _ in PAPER_SECTIONS:
        assert page.count(f'<h2 id="{anchor}">') == 1, anchor
    assert "<title>Probing Vision-Language Layers: A Fixture - MLLM-XAI-KB</title>" in page
    assert 'href="../../assets/kb/kb.css"' in page and 'src="../../assets/kb/kb.js"' in page
    assert SHELL_TITLE not in page and "kb-shell" not in page
    assert not (built / "papers" / "kb-shell").exists()
    papers = sorted(p.name for p in (built / "papers").iterdir())
    assert papers == ["belrose2023eliciting", "doe2024probing", "evil2025img", "roe2025video"]


def test_a_build_with_a_site_url_lists_every_paper_in_the_sitemap(tmp_path: Path) -> None:
    url = "https://example.org/kb/"
    args = ["--root", str(SITE_KB), "build", "-o", str(tmp_path / "out")]
    args += ["--docs-dir", str(tmp_path / "docs"), "--no-search", "--site-url", url]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    sitemap = (tmp_path / "out" / "sitemap.xml").read_text()
    locations = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert f"{url}papers/evil2025img/" in locations and f"{url}methods/logit-lens/" in locations
    assert not any("kb-shell" in location for location in locations)
    assert len(locations) == len(set(locations)) == 30
    page = (tmp_path / "out" / "papers" / "roe2025video" / "index.html").read_text()
    assert f'<link rel="canonical" href="{url}papers/roe2025video/">' in page
    packed = gzip.decompress((tmp_path / "out" / "sitemap.xml.gz").read_bytes()).decode()
    assert packed == sitemap


def test_a_bad_site_url_is_refused_before_building(tmp_path: Path) -> None:
    args = ["--root", str(SITE_KB), "build", "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "--site-url", "javascript:alert(1)"])
    assert result.exit_code == 2
    assert "is not an absolute http(s) URL" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("<html><body>no markers</body></html>", "the builder dropped the shell page's markers"),
        (
            '<!--kb-shell-start--><h2 id="summary">S</h2><!--kb-shell-end-->',
            "the shell page's sections are ('summary',)",
        ),
    ],
)
def test_a_shell_page_the_builder_changed_is_refused(page: str, reason: str) -> None:
    found = parse_shell(page)
    assert isinstance(found, str) and found.startswith(reason)


def test_the_shell_fills_title_url_and_article_and_nothing_else() -> None:
    headings = "".join(f'<h2 id="{anchor}">{name}</h2>' for anchor, name in PAPER_SECTIONS)
    page = (
        f'<title>{SHELL_TITLE} - KB</title><link href="https://x.org/papers/kb-shell/">'
        f"<!--kb-shell-start-->{headings}<!--kb-shell-end--><footer>papers/kb-shell/</footer>"
    )
    shell = parse_shell(page)
    assert not isinstance(shell, str)
    filled = shell.fill("abc2024x", "A &lt;b&gt; papers/kb-shell/", "<h1>A</h1>")
    assert filled == (
        '<title>A &lt;b&gt; papers/kb-shell/ - KB</title><link href="https://x.org/papers/abc2024x/">'
        "<h1>A</h1><footer>papers/abc2024x/</footer>"
    )


def test_the_build_writes_search_index_data_downloads_and_vendor_files(built: Path) -> None:
    assert (built / "pagefind" / "pagefind-ui.js").is_file()
    assert (built / "assets" / "kb" / "data" / "explorer" / "index.json.gz").is_file()
    assert (built / "downloads" / "mllm-xai-kb.bib").read_text().count("@") == 4
    assert (built / "downloads" / "survey-latex.zip").is_file()
    assert (built / "assets" / "kb" / "vendor" / "sigma.min.js").is_file()
    assert (built / SITE_MARKER).is_file()
    downloads = (built / "downloads" / "index.html").read_text()
    size = (built / "downloads" / "mllm-xai-kb.bib").stat().st_size
    expected = f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"
    row = "download>mllm-xai-kb.bib</a></td><td>Every record as BibTeX</td>"
    assert f'{row}<td><span class="kb-size">{expected}</span>' in downloads
    assert SIZE_MARKER not in downloads


def test_a_size_marker_for_a_file_not_made_fails_the_build() -> None:
    page = f'<td><span class="kb-size">{SIZE_MARKER}downloads/a.bib</span></td>'
    assert (
        fill_sizes(page, {"downloads/a.bib": 2048})
        == '<td><span class="kb-size">2.0 KB</span></td>'
    )
    assert fill_sizes(page, {"downloads/b.bib": 1}) is None


def test_zensical_builds_the_same_docs_tree(tmp_path: Path) -> None:
    outcome = build_site(
        SITE_KB, tmp_path / "out", tmp_path / "docs", builder="zensical", search=False
    )
    assert not isinstance(outcome, list), [p.render() for p in outcome]
    page = (outcome.output / "papers" / "evil2025img" / "index.html").read_text()
    assert "&lt;img src=x onerror=alert" in page and "<img src=x" not in page
    assert (outcome.output / "taxonomy" / "model.layer" / "index.html").is_file()


# --- the command --------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(SITE_KB, root)
    return root


def test_a_build_with_an_invalid_record_fails_before_writing_anything(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    record = root / "papers" / "roe2025video.yaml"
    record.write_text(record.read_text().replace("methods: [", "methods: [logit-lense, "))
    result = CliRunner().invoke(
        main, ["--root", str(root), "build", "-o", str(tmp_path / "out"), "--no-search"]
    )
    assert result.exit_code == 1
    assert (
        "papers/roe2025video.yaml:9:11: error[unknown-method]: 'logit-lense' is not in "
        "taxonomy/methods.yaml\n  hint: did you mean 'logit-lens'?" in result.output
    )
    assert not (tmp_path / "out").exists()
    assert not (root / "docs-build").exists()


def test_build_refuses_to_empty_a_folder_it_did_not_make(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    keep = tmp_path / "precious"
    keep.mkdir()
    (keep / "thesis.tex").write_text("years of work")
    result = CliRunner().invoke(main, ["--root", str(root), "build", "-o", str(keep)])
    assert result.exit_code == 1
    assert "error[unsafe-output]: is not empty and was not made by kb build" in result.output
    assert (keep / "thesis.tex").read_text() == "years of work"
    into_kb = CliRunner().invoke(main, ["--root", str(root), "build", "-o", str(root)])
    assert into_kb.exit_code == 1
    assert "refusing to build into the knowledge base" in into_kb.output


def test_build_prints_the_page_count_and_rebuilds_into_its_own_output(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    args = ["--root", str(root), "build", "-o", str(tmp_path / "out"), "--no-search"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert re.search(r"^built 30 pages into .*out \(load ", first.output, re.M)
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    assert (tmp_path / "out" / "papers" / "roe2025video" / "index.html").is_file()


# --- rebuilds -----------------------------------------------------------------------------


def _paper_files(site: Path) -> dict[str, tuple[int, str]]:
    """Paper id -> (inode, text) of every built paper page."""
    return {
        folder.name: ((folder / "index.html").stat().st_ino, (folder / "index.html").read_text())
        for folder in sorted((site / "papers").iterdir())
    }


def _rebuild(root: Path, tmp_path: Path) -> tuple[BuildReport, dict[str, tuple[int, str]]]:
    outcome = build_site(root, tmp_path / "out", tmp_path / "docs", search=False)
    assert isinstance(outcome, BuildReport), [p.render() for p in outcome]
    return outcome, _paper_files(outcome.output)


def test_a_rebuild_renders_again_only_the_paper_pages_whose_content_changed(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    first, before = _rebuild(root, tmp_path)
    assert "4 paper pages rendered, 0 kept" in first.notes
    record = root / "papers" / "roe2025video.yaml"
    record.write_text(record.read_text().replace("summary: >-\n", "summary: >-\n  Edited first.\n"))
    second, after = _rebuild(root, tmp_path)
    assert "1 paper pages rendered, 3 kept" in second.notes
    assert "Edited first." in after["roe2025video"][1]
    for kept in ("belrose2023eliciting", "doe2024probing", "evil2025img"):
        assert after[kept] == before[kept]
    # A new title shows in the lists of every page that links to the paper.
    cited = root / "papers" / "belrose2023eliciting.yaml"
    cited.write_text(cited.read_text().replace("with the Tuned Lens", "with a Retitled Lens"))
    third, retitled = _rebuild(root, tmp_path)
    linking = [pid for pid, (_, text) in retitled.items() if "Retitled Lens" in text]
    assert sorted(linking) == ["belrose2023eliciting", "doe2024probing", "evil2025img"]
    assert f"{len(linking)} paper pages rendered, {4 - len(linking)} kept" in third.notes
    fresh = build_site(root, tmp_path / "fresh", tmp_path / "fresh-docs", search=False)
    assert isinstance(fresh, BuildReport)
    assert {pid: text for pid, (_, text) in retitled.items()} == {
        pid: text for pid, (_, text) in _paper_files(fresh.output).items()
    }


@pytest.mark.parametrize("manifest", ["{not json", '{"shell": 1, "keys": []}', "[]"])
def test_a_damaged_page_manifest_means_every_page_is_rendered(
    tmp_path: Path, manifest: str
) -> None:
    root = _copy(tmp_path)
    _rebuild(root, tmp_path)
    (tmp_path / "out" / PAGES_MANIFEST).write_text(manifest)
    again, _ = _rebuild(root, tmp_path)
    assert "4 paper pages rendered, 0 kept" in again.notes


# --- the search index in bundles ----------------------------------------------------------


def test_bundle_parts_follow_the_number_of_papers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PAGES_PER_BUNDLE", 10)
    assert search.bundle_parts(0) == search.bundle_parts(10) == []
    assert search.bundle_parts(11) == ["pagefind-parts/1/"]
    assert search.bundle_parts(30) == ["pagefind-parts/1/", "pagefind-parts/2/"]


def test_page_batches_put_every_page_in_one_batch_and_papers_in_id_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PAGES_PER_BUNDLE", 2)
    pages = ["index.html", "404.html", "methods/x/index.html"]
    pages += [f"papers/{pid}/index.html" for pid in ("c", "a", "e", "b", "d")]
    for relative_path in pages:
        (tmp_path / relative_path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative_path).write_text("<html></html>")
    assert search.page_batches(tmp_path) == [
        ["404.html", "index.html", "methods/x/index.html", "papers/a/index.html",
         "papers/b/index.html"],
        ["papers/c/index.html", "papers/d/index.html"],
        ["papers/e/index.html"],
    ]  # fmt: skip
    assert search.bundle_parts(5) == ["pagefind-parts/1/", "pagefind-parts/2/"]


def _entry(bundle: Path) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads((bundle / "pagefind-entry.json").read_text())
    return entry


def test_a_split_search_index_covers_every_page_once_and_the_search_page_merges_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PAGES_PER_BUNDLE", 1)
    outcome = build_site(SITE_KB, tmp_path / "out", tmp_path / "docs", search=True)
    assert isinstance(outcome, BuildReport), [p.render() for p in outcome]
    site = outcome.output
    parts = sorted((site / "pagefind-parts").iterdir())
    assert [p.name for p in parts] == ["1", "2", "3"]
    counts = [_entry(site / "pagefind")["languages"]["en"]["page_count"]]
    counts += [_entry(part)["languages"]["en"]["page_count"] for part in parts]
    assert counts[1:] == [1, 1, 1]
    indexed_pages = [p for p in _html_files(site) if "data-pagefind-body" in p.read_text()]
    assert sum(counts) == len(indexed_pages)
    assert not list(tmp_path.glob("*.search"))  # the batches' link folders are gone
    search_page = (site / "search" / "index.html").read_text()
    listed = re.search(r'data-parts="([^"]*)"', search_page)
    assert listed is not None
    assert [posixpath.normpath(f"search/{link}") for link in listed[1].split()] == [
        f"pagefind-parts/{n}" for n in (1, 2, 3)
    ]


def test_kb_serve_answers_a_missing_page_with_the_sites_404_page(tmp_path: Path) -> None:
    import threading
    import urllib.error
    import urllib.request

    from kb.site.serve import make_server

    (tmp_path / "index.html").write_text("<h1>home</h1>")
    (tmp_path / "404.html").write_text("<h1>Not found: try the search</h1>")
    server = make_server(tmp_path, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/index.html") as found:
            assert found.status == 200
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/papers/nobody2020/")
        assert missing.value.code == 404
        assert missing.value.read() == b"<h1>Not found: try the search</h1>"
        (tmp_path / "404.html").unlink()
        with pytest.raises(urllib.error.HTTPError) as bare:
            urllib.request.urlopen(f"{base}/elsewhere/")
        assert bare.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Rott Shaham, Tamar", "Tamar Rott Shaham"),
        ("King, Jr., Martin Luther", "Martin Luther King Jr."),
        ("van der Berg, Piet", "Piet van der Berg"),
        ("Jiaqi Xu", "Jiaqi Xu"),
        ("{Gemini Team}", "{Gemini Team}"),
    ],
)
def test_pages_show_every_author_name_in_one_order(written: str, shown: str) -> None:
    from kb.site.escape import display_name

    assert display_name(written) == shown


def test_latest_additions_of_one_day_come_most_influential_first_and_are_counted() -> None:
    from kb.core.pipeline import load_knowledge_base
    from kb.site.context import site_context
    from kb.site.pages import render_pages

    kb = load_knowledge_base(FIXTURES / "export").kb
    ctx = site_context(kb)
    latest = [p.id for p in ctx.latest(3)]
    assert latest == ctx.by_influence(list(kb.papers))[:3]
    home = render_pages(ctx, ({}, []), [], graph_library=False)["index.md"]
    assert "<strong>6 records added on 2026-11-23</strong>.</p>" in home


def test_a_leaderboard_lists_at_most_the_table_limit_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kb.core.pipeline import load_knowledge_base
    from kb.site import pages
    from kb.site.context import site_context

    monkeypatch.setattr(pages, "TABLE_LIMIT", 2)
    ctx = site_context(load_knowledge_base(FIXTURES / "site").kb)
    board = pages.render_pages(ctx, ({}, []), [], graph_library=False)[
        "benchmarks/fixture-bench.md"
    ]
    accuracy = board.split("## Accuracy", 1)[1].split("## ", 1)[0]
    assert (
        "3 results from 3 papers; higher is better, best first; the best 2 are listed" in accuracy
    )
    assert accuracy.count("<tr><td>") == 2
