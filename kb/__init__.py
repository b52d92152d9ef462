"""mllm-xai-kb: a curated knowledge base of MLLM explainability research, and its tools.

The package reads as the pipeline, each room using only the rooms listed before it (the
import-linter contracts in pyproject.toml hold it so):

- `kb.core`: load, validate and check the records and vocabularies; the shared primitives.
- `kb.graph`: the linked knowledge base: citation and method graph, influence, related papers,
  gaps and statistics.
- `kb.export`: BibTeX, CSL-JSON, related work, the survey, JSON and SQLite dumps.
- `kb.contrib`: bringing papers in: BibTeX and arXiv import, duplicates, diffs, new records.
- `kb.site`: the website.
- `kb.cli`: the `kb` command, a thin shell over all of the above.
"""
