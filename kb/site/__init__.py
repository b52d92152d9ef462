"""The website of the knowledge base: a Markdown docs tree built into HTML by mkdocs-material.

Stages: `context` (derived facts, computed once), `pages`/`charts`/`data` (Markdown, SVG and
JSON as values), `config` (the generated mkdocs.yml), `tree` (all of it together), `build`
(writing the tree, running MkDocs or Zensical and Pagefind) and `serve` (`kb serve`).
"""

from kb.site.build import BuildReport, build_site
from kb.site.tree import DocsTree, docs_tree

__all__ = ["BuildReport", "DocsTree", "build_site", "docs_tree"]
