"""Fuzzing the way in: any bytes give either a located problem or a valid record, never a crash."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.core.checks import record_problems
from kb.core.fmt import format_paper
from kb.core.load import LoadError, parse_bytes
from kb.core.pipeline import load_knowledge_base
from kb.core.records import Paper, paper_model
from kb.core.taxonomy import Taxonomy
from kb.core.validate import validate_paper
from tests.conftest import FIXTURE_KB
from tests.error_cases import record

SEED = record().encode()
YAML_PIECES = [
    b":",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"&a ",
    b"*a",
    b"!!python/object ",
    b"\n",
    b"\t",
    b"#",
    b"'",
    b'"',
    b"\\",
    b">-\n",
    b"|\n",
    b"---\n",
    b"? ",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\x00",
    b"2406.11193",
    b"yes",
    b"null",
    b"~",
    b"<<: ",
    b"%YAML 1.1\n",
    b"\xe2\x80\xae",
]


@cache
def _vocabulary() -> tuple[Taxonomy, type[Paper]]:
    taxonomy = load_knowledge_base(FIXTURE_KB).kb.taxonomy
    return taxonomy, paper_model(taxonomy)


def _check(data: bytes) -> None:
    taxonomy, model = _vocabulary()
    try:
        doc = parse_bytes(data, "papers/doe2024probing.yaml")
    except LoadError as error:
        assert error.problem.code and error.problem.line >= 1 and error.problem.col >= 1
        return
    paper, problems = validate_paper(doc, model, taxonomy)
    if paper is None:
        assert problems and all(p.line >= 1 and p.col >= 1 and p.code for p in problems)
        return
    found = record_problems(paper, doc, taxonomy)
    assert all(p.line >= 1 and p.col >= 1 and p.code for p in found)
    again = parse_bytes(format_paper(paper).encode(), "papers/doe2024probing.yaml")
    assert model.model_validate(again.data).model_dump() == paper.model_dump()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2_000))
def test_random_bytes_never_escape_as_an_exception(data: bytes) -> None:
    _check(data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(SEED)), st.sampled_from(YAML_PIECES) | st.binary(max_size=4)),
        max_size=6,
    ),
    st.lists(st.tuples(st.integers(0, len(SEED)), st.integers(1, 30)), max_size=3),
)
def test_a_mutated_valid_record_gives_a_located_error_or_a_valid_record(
    insertions: list[tuple[int, bytes]], deletions: list[tuple[int, int]]
) -> None:
    data = bytearray(SEED)
    for at, length in deletions:
        del data[at : at + length]
    for at, piece in insertions:
        data[min(at, len(data)) : min(at, len(data))] = piece
    _check(bytes(data))
