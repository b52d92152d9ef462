"""Checks that keep the real knowledge base honest: coverage, vocabulary use, no boilerplate."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache

from kb.core.pipeline import load_knowledge_base
from kb.core.validate import KnowledgeBase
from tests.conftest import REPO

MIN_PER_LEAF = 8
MIN_RECORDS = 150
MIN_METHODS = 40
MIN_CITE_EDGES = 300
SHARED_RUN = 12


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base(REPO).kb


def test_there_are_enough_records() -> None:
    assert len(_kb().papers) >= MIN_RECORDS


def test_every_leaf_has_enough_records() -> None:
    kb = _kb()
    counts = Counter(paper.leaf for paper in kb.papers.values())
    thin = {leaf: counts[leaf] for leaf in kb.taxonomy.leaves if counts[leaf] < MIN_PER_LEAF}
    assert not thin


def test_the_method_vocabulary_is_large_and_every_method_is_used() -> None:
    kb = _kb()
    assert len(kb.taxonomy.methods) >= MIN_METHODS
    used = {method for paper in kb.papers.values() for method in paper.methods}
    assert sorted(set(kb.taxonomy.methods) - used) == []


def test_every_model_is_studied_by_a_record() -> None:
    kb = _kb()
    used = {model for paper in kb.papers.values() for model in paper.models}
    assert sorted(set(kb.taxonomy.models) - used) == []


def test_every_model_with_parts_names_its_sources() -> None:
    for model in _kb().taxonomy.models.values():
        if model.vision_encoder or model.connector or model.language_model:
            assert model.sources, model.id


def test_the_citation_graph_is_dense_enough() -> None:
    assert sum(len(paper.cites) for paper in _kb().papers.values()) >= MIN_CITE_EDGES


def _runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}


def test_no_two_records_share_a_twelve_word_run() -> None:
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for paper in _kb().papers.values():
        texts = [paper.summary, *paper.limitations, *paper.strengths]
        texts += [finding.text for finding in paper.findings]
        for run in set().union(*(_runs(text) for text in texts)):
            owners[run].add(paper.id)
    shared = {" ".join(run): sorted(ids) for run, ids in owners.items() if len(ids) > 1}
    assert not shared


def test_every_record_names_its_sources() -> None:
    assert all(paper.sources for paper in _kb().papers.values())
