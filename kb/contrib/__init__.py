"""Bringing papers in: BibTeX and arXiv import, duplicate search, diffs and new-record drafts.

Uses `kb.core` and `kb.graph`; never the exporters, the site or the command line.
"""
