"""`kb add --arxiv`: the arXiv API client, tested on recorded responses with no network."""

from __future__ import annotations

import urllib.error
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.app import main
from kb.contrib import arxiv
from kb.contrib.arxiv import ArxivRecord, lookup, parse_feed, query_url, valid_id
from kb.core.load import parse_text
from kb.core.problems import Problem
from tests.conftest import FIXTURES

RECORDED = FIXTURES / "arxiv"
LLAVA = ArxivRecord(
    arxiv="2304.08485",
    version=2,
    title="Visual Instruction Tuning",
    authors=("Haotian Liu", "Chunyuan Li", "Qingyang Wu", "Yong Jae Lee"),
    published=date(2023, 4, 17),
    updated=date(2023, 12, 11),
    primary_category="cs.CV",
)


def _recording(name: str, calls: list[str] | None = None) -> object:
    def fetch(url: str) -> bytes:
        if calls is not None:
            calls.append(url)
        return (RECORDED / name).read_bytes()

    return fetch


@pytest.mark.parametrize("name", ["2304.08485.xml", "2304.08485-classic.xml"])
def test_both_dialects_of_the_feed_parse_to_the_same_true_metadata(name: str) -> None:
    assert parse_feed((RECORDED / name).read_bytes(), "2304.08485") == LLAVA


def test_an_error_entry_is_reported_not_taken_for_a_paper() -> None:
    found = parse_feed((RECORDED / "error.xml").read_bytes(), "2304.0848")
    assert found == Problem(
        "arxiv-error", "arXiv:2304.0848", "arXiv answered: incorrect id format for 2304.0848"
    )


def test_an_unknown_id_is_not_found() -> None:
    found = parse_feed((RECORDED / "not-found.xml").read_bytes(), "2304.99999")
    assert isinstance(found, Problem)
    assert found.render() == (
        "arXiv:2304.99999:1:1: error[arxiv-not-found]: arXiv has no paper 2304.99999\n"
        "  hint: check the id on https://arxiv.org/abs/2304.99999"
    )


def test_a_response_with_a_doctype_is_refused_before_parsing() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed>&a;</feed>'
    found = parse_feed(bomb, "2304.08485")
    assert isinstance(found, Problem) and found.code == "arxiv-response"


def test_a_throttled_plain_text_answer_is_a_problem() -> None:
    found = parse_feed(b"Rate exceeded.", "2304.08485")
    assert isinstance(found, Problem) and found.code == "arxiv-response"
    assert found.hint == "arXiv may be throttling requests; wait a minute and try again"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2304.08485", "2304.08485"),
        ("2304.08485v2", "2304.08485"),
        ("arXiv:2304.08485", "2304.08485"),
        ("https://arxiv.org/abs/2304.08485v1", "2304.08485"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("2304.0848", None),
        ("2313.08485", None),
        ("not an id", None),
    ],
)
def test_ids_are_accepted_in_the_forms_people_paste(typed: str, expected: str | None) -> None:
    assert valid_id(typed) == expected


def test_lookup_asks_the_api_for_the_bare_id(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(arxiv, "fetch", _recording("2304.08485.xml", calls))
    assert lookup("arXiv:2304.08485v1") == LLAVA
    assert calls == [query_url("2304.08485")]
    assert calls[0] == "https://export.arxiv.org/api/query?id_list=2304.08485&max_results=1"


def test_being_offline_is_a_problem_that_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str) -> bytes:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(arxiv, "fetch", offline)
    found = lookup("2304.08485")
    assert isinstance(found, Problem)
    assert found.render() == (
        "arXiv:2304.08485:1:1: error[arxiv-offline]: cannot reach export.arxiv.org ([Errno -3] "
        "Temporary failure in name resolution); kb add --arxiv needs the network\n"
        "  hint: connect and try again, or work offline with kb add --bibtex FILE or kb new"
    )


def test_add_arxiv_creates_the_preprint_record(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv, "fetch", _recording("2304.08485.xml"))
    result = CliRunner().invoke(main, ["--root", str(kb_root), "add", "--arxiv", "2304.08485"])
    assert result.exit_code == 0, result.output
    assert "created papers/liu2023visual.yaml from arXiv:2304.08485:1 (2304.08485)" in (
        result.output
    )
    path = kb_root / "papers" / "liu2023visual.yaml"
    data = parse_text(path.read_text(), path.name).data
    assert data["title"] == "Visual Instruction Tuning"
    assert data["authors"] == ("Haotian Liu", "Chunyuan Li", "Qingyang Wu", "Yong Jae Lee")
    assert (data["year"], data["venue"], data["arxiv"]) == (2023, "arxiv", "2304.08485")
    assert data["url"] == "https://arxiv.org/abs/2304.08485"
    assert data["sources"] == ("https://arxiv.org/abs/2304.08485",)
    assert data["summary"] == "" and data["taxonomy"] == ()
    again = CliRunner().invoke(main, ["--root", str(kb_root), "add", "--arxiv", "2304.08485"])
    assert again.exit_code == 1
    assert "error[already-in-kb]: entry '2304.08485' is already in the knowledge base as " in (
        again.output
    )


def test_add_arxiv_offline_prints_a_problem_and_no_traceback(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(url: str) -> bytes:
        raise TimeoutError("timed out")

    monkeypatch.setattr(arxiv, "fetch", offline)
    result = CliRunner().invoke(main, ["--root", str(kb_root), "add", "--arxiv", "2304.08485"])
    assert result.exit_code == 1
    assert "error[arxiv-offline]: cannot reach export.arxiv.org (timed out)" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (kb_root / "papers").iterdir()) == [
        "belrose2023eliciting.yaml",
        "doe2024probing.yaml",
    ]


def test_a_malformed_id_is_a_usage_error_without_any_request(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(arxiv, "fetch", _recording("2304.08485.xml", calls))
    result = CliRunner().invoke(main, ["--root", str(kb_root), "add", "--arxiv", "2304.0848"])
    assert result.exit_code == 2
    assert "error[bad-arxiv]: '2304.0848' is not an arXiv id" in result.output
    assert calls == []
