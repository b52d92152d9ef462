"""What leaves the knowledge base as a file: BibTeX, CSL-JSON, related work, the survey, dumps.

Uses `kb.core` and `kb.graph`; never the site, the contributor tools or the command line.
"""
