"""The one place the stages are chained: load -> validate -> check."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kb.checks import check_knowledge_base
from kb.load import read_tree
from kb.problems import Problem, sort_problems
from kb.taxonomy import VOCABULARY_FILES
from kb.validate import KnowledgeBase, validate_papers, validate_taxonomy

__all__ = ["Result", "load_knowledge_base"]


@dataclass(frozen=True)
class Result:
    """A knowledge base (the records that validated) and every problem found on the way."""

    kb: KnowledgeBase
    problems: list[Problem]

    def errors(self, strict: bool = False) -> list[Problem]:
        """Problems that fail a run: errors, and warnings too when `strict`."""
        return [p for p in self.problems if strict or p.severity == "error"]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a knowledge base is built.

    NOTE: loading allocates millions of small objects and no cycles worth collecting; the
    collector's repeated passes over them cost most of the validation time (measured: about
    80% of pydantic's time at 100,000 records).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_knowledge_base(root: Path) -> Result:
    """Load, validate and check the knowledge base under `root` (papers/ and taxonomy/)."""
    with _collector_paused():
        return _load(root)


def _load(root: Path) -> Result:
    loaded = read_tree(root, list(VOCABULARY_FILES))
    taxonomy, vocabulary_problems = validate_taxonomy(loaded.vocabularies)
    kb, paper_problems = validate_papers(loaded.papers, taxonomy, loaded.vocabularies)
    problems = loaded.problems + vocabulary_problems + paper_problems + check_knowledge_base(kb)
    return Result(kb, sort_problems(problems))
