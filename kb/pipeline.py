"""The one place the stages are chained: load -> validate -> check."""

from __future__ import annotations

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


def load_knowledge_base(root: Path) -> Result:
    """Load, validate and check the knowledge base under `root` (papers/ and taxonomy/)."""
    loaded = read_tree(root, list(VOCABULARY_FILES))
    taxonomy, vocabulary_problems = validate_taxonomy(loaded.vocabularies)
    kb, paper_problems = validate_papers(loaded.papers, taxonomy, loaded.vocabularies)
    problems = loaded.problems + vocabulary_problems + paper_problems + check_knowledge_base(kb)
    return Result(kb, sort_problems(problems))
