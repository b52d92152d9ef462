"""The generated `mkdocs.yml`: theme, explicit navigation, assets; no plugin.

The navigation lists the perspective tree and the fixed pages, never the papers: with an
automatic navigation mkdocs-material renders every page into every page's sidebar and the
build grows quadratically with the number of papers. Paper, method and model pages are
reached through the category, method and model pages, the explorer and search.
"""

from __future__ import annotations

from typing import Any

import yaml

from kb.core.taxonomy import Taxonomy
from kb.site.escape import html_text
from kb.site.routes import ASSETS, group_page, leaf_page

__all__ = ["SITE_NAME", "mkdocs_config", "navigation"]

SITE_NAME = "MLLM-XAI-KB"
DESCRIPTION = (
    "A curated knowledge base of research on the explainability and interpretability of "
    "multimodal large language models."
)


def _title(text: str) -> str:
    # NOTE: mkdocs-material inserts navigation titles without escaping them.
    return str(html_text(text))


def _branch(taxonomy: Taxonomy, node: str) -> Any:
    children = taxonomy.children(node)
    name = _title(taxonomy.perspectives[node].name)
    if not children:
        return {name: leaf_page(node)}
    return {name: [group_page(node), *(_branch(taxonomy, child) for child in children)]}


def navigation(taxonomy: Taxonomy) -> list[Any]:
    """The explicit `nav`: fixed pages and the perspective tree, in taxonomy order."""
    tree = [_branch(taxonomy, top) for top in taxonomy.children(None)]
    return [
        {"Home": "index.md"},
        {"Taxonomy": ["taxonomy/index.md", *tree]},
        {"Methods": "methods/index.md"},
        {"Models": "models/index.md"},
        {"Benchmarks": "benchmarks/index.md"},
        {"Explorer": "explorer.md"},
        {"Graph": "graph.md"},
        {"Statistics": "statistics.md"},
        {"Search": "search.md"},
        {"Contribute": "contribute.md"},
        {"Downloads": "downloads.md"},
    ]


def mkdocs_config(taxonomy: Taxonomy, site_dir: str, site_url: str | None = None) -> str:
    """The text of `mkdocs.yml` for a docs tree in `docs/` with theme overrides in `overrides/`.

    The same file builds with `mkdocs build` and `zensical build`. The material search plugin
    is off (`plugins: []`): Pagefind indexes the built HTML instead.
    """
    config: dict[str, Any] = {
        "site_name": SITE_NAME,
        "site_description": DESCRIPTION,
        "docs_dir": "docs",
        "site_dir": site_dir,
        "use_directory_urls": True,
        "theme": {
            "name": "material",
            "custom_dir": "overrides",
            "language": "en",
            # NOTE: `font: false` keeps the theme from loading Google Fonts; the site makes
            # no request to another host.
            "font": False,
            "palette": {"scheme": "default", "primary": "indigo", "accent": "indigo"},
            "features": [
                "navigation.tabs",
                "navigation.sections",
                "navigation.indexes",
                "navigation.top",
                "toc.follow",
            ],
        },
        "plugins": [],
        "markdown_extensions": ["toc"],
        "extra_css": [f"{ASSETS}/kb.css"],
        "extra_javascript": [f"{ASSETS}/kb.js"],
        "extra": {"generator": False},
        "validation": {
            "nav": {"omitted_files": "ignore", "not_found": "warn", "absolute_links": "ignore"},
            "links": {
                "not_found": "warn",
                "absolute_links": "ignore",
                "unrecognized_links": "ignore",
            },
        },
        "nav": navigation(taxonomy),
    }
    if site_url:
        config["site_url"] = site_url
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)
