"""Where every page of the site lives, and relative links between pages.

A page has a source path in the docs tree (`papers/huo2024mmneuron.md`) and a URL directory
(`papers/huo2024mmneuron/`), as MkDocs and Zensical both map them with directory URLs. Links
are written relative to the page that holds them, so the site works under any base path
(a GitHub Pages project path, a local folder served by http.server).
"""

from __future__ import annotations

__all__ = [
    "ASSETS",
    "BENCHMARKS",
    "DATA",
    "benchmark_page",
    "group_page",
    "leaf_page",
    "method_page",
    "model_page",
    "node_page",
    "paper_page",
    "relative",
    "url_of",
]

ASSETS = "assets/kb"
DATA = "assets/kb/data"


BENCHMARKS = "benchmarks/index.md"


def benchmark_page(benchmark_id: str) -> str:
    """Source path of a benchmark's leaderboard page."""
    return f"benchmarks/{benchmark_id}.md"


def paper_page(paper_id: str) -> str:
    """Source path of a paper's page."""
    return f"papers/{paper_id}.md"


def method_page(method_id: str) -> str:
    """Source path of a method's page."""
    return f"methods/{method_id}.md"


def model_page(model_id: str) -> str:
    """Source path of a model's page."""
    return f"models/{model_id}.md"


def leaf_page(leaf: str) -> str:
    """Source path of a leaf category's page."""
    return f"taxonomy/{leaf}.md"


def group_page(node: str) -> str:
    """Source path of a grouping node's page (a perspective or a sub-tree).

    NOTE: grouping pages are `index.md` files so that mkdocs-material's `navigation.indexes`
    attaches them to their section in the navigation; leaves are plain pages.
    """
    return f"taxonomy/{node}/index.md"


def node_page(node: str, is_leaf: bool) -> str:
    """Source path of a node of the perspective tree."""
    return leaf_page(node) if is_leaf else group_page(node)


def url_of(source: str) -> str:
    """The URL directory (or file) a source path is published at.

    >>> url_of("index.md"), url_of("papers/x.md"), url_of("taxonomy/data/index.md")
    ('', 'papers/x/', 'taxonomy/data/')
    >>> url_of("assets/kb/kb.css")
    'assets/kb/kb.css'
    """
    if not source.endswith(".md"):
        return source
    stem = source[: -len(".md")]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative(from_source: str, to: str) -> str:
    """A link from the page `from_source` to `to` (a source path, `.md` or any other file).

    The link climbs to the site root and descends to the target: not always the shortest
    path, but correct at any depth and cheap enough for millions of links.

    >>> relative("papers/a.md", "methods/b.md")
    '../../methods/b/'
    >>> relative("index.md", "assets/kb/kb.css")
    'assets/kb/kb.css'
    >>> relative("papers/a.md", "index.md")
    '../../'
    >>> relative("index.md", "index.md")
    './'
    """
    return "../" * url_of(from_source).count("/") + url_of(to) or "./"
