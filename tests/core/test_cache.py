"""The validation cache: same answers as a cold run, whatever happened to files or cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from kb.core import cache, pipeline
from kb.core.cache import cache_path, records_path, write_records
from kb.core.pipeline import Report, check_tree, load_knowledge_base
from kb.core.problems import Problem
from kb.core.records import Paper, paper_model
from tests.conftest import FIXTURE_KB
from tests.error_cases import CASES
from tests.strategies import records


def _rendered(report: Report) -> list[str]:
    return [problem.render() for problem in report.problems]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files validated from scratch (not taken from the cache) during a test."""
    seen: list[str] = []
    original = pipeline._check_bytes

    def spy(data: bytes, display: str, *args: object) -> tuple[list[Problem], object, object]:
        seen.append(display)
        return original(data, display, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_check_bytes", spy)
    return seen


def _age(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the cache look written long after the records, so stat alone may vouch for them."""
    later = pipeline._cache_time
    monkeypatch.setattr(pipeline, "_cache_time", lambda root: later(root) + 10_000_000_000)


def test_a_warm_run_validates_nothing_again(
    kb_root: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    cold = check_tree(kb_root)
    assert sorted(counted) == ["papers/belrose2023eliciting.yaml", "papers/doe2024probing.yaml"]
    counted.clear()
    warm = check_tree(kb_root)
    assert counted == []
    assert warm == cold


def test_a_changed_file_is_validated_again_and_its_problems_reported(
    kb_root: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    check_tree(kb_root)
    counted.clear()
    path = kb_root / "papers" / "doe2024probing.yaml"
    path.write_text(path.read_text().replace("venue: neurips", "venue: neurip"))
    report = check_tree(kb_root)
    assert counted == ["papers/doe2024probing.yaml"]
    assert _rendered(report) == _rendered(check_tree(kb_root, use_cache=False))
    assert report.problems[0].code == "unknown-venue"


def test_a_warm_run_reuses_the_cross_record_problems_until_a_file_changes_comes_or_goes(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    calls: list[int] = []
    original = pipeline.cross_record_problems

    def spy(records: dict[str, object], *args: object) -> list[Problem]:
        calls.append(len(records))
        return original(records, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "cross_record_problems", spy)
    cold = check_tree(kb_root)
    assert calls == [2] and check_tree(kb_root) == cold and calls == [2]
    papers = kb_root / "papers"
    cited = (papers / "belrose2023eliciting.yaml").read_bytes()
    (papers / "belrose2023eliciting.yaml").unlink()
    gone = check_tree(kb_root)
    assert calls == [2, 1]
    assert {p.code for p in gone.problems} == {"missing-cite", "unknown-record"}
    assert check_tree(kb_root) == gone and calls == [2, 1]
    assert check_tree(kb_root, use_cache=False) == gone
    (papers / "belrose2023eliciting.yaml").write_bytes(cited)
    assert check_tree(kb_root).problems == cold.problems
    assert calls[:3] == [2, 1, 1] and calls[3:] == [2]


def test_an_edit_that_restores_size_and_time_is_still_seen(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    check_tree(kb_root)
    path = kb_root / "papers" / "doe2024probing.yaml"
    stat = path.stat()
    path.write_text(path.read_text().replace("year: 2024", "year: 1024"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert [p.code for p in check_tree(kb_root).problems] == ["bad-year"]


def test_a_moved_record_is_found_by_its_new_name(kb_root: Path) -> None:
    check_tree(kb_root)
    papers = kb_root / "papers"
    (papers / "doe2024probing.yaml").rename(papers / "doe2024renamed.yaml")
    assert [p.code for p in check_tree(kb_root).problems] == ["id-mismatch"]


def test_a_corrupt_cache_is_rebuilt_not_trusted(
    kb_root: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    check_tree(kb_root)
    target = cache_path(kb_root)
    data = bytearray(target.read_bytes())
    data[-5] ^= 0xFF
    target.write_bytes(bytes(data))
    counted.clear()
    report = check_tree(kb_root)
    assert len(counted) == 2
    assert report.problems == []
    target.write_bytes(b"garbage")
    assert check_tree(kb_root).problems == []


def test_a_change_of_code_or_vocabulary_invalidates_the_cache(
    kb_root: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    check_tree(kb_root)
    counted.clear()
    vocabulary = kb_root / "taxonomy" / "venues.yaml"
    vocabulary.write_text(vocabulary.read_text().replace("id: tmlr", "id: tmlr2"))
    check_tree(kb_root)
    assert len(counted) == 2
    counted.clear()
    monkeypatch.setattr(cache, "code_digest", lambda data: b"another version of kb")
    monkeypatch.setattr(pipeline, "code_digest", lambda data: b"another version of kb")
    check_tree(kb_root)
    assert len(counted) == 2


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_and_both_loaders_report_the_same_problems(kb_root: Path, name: str) -> None:
    case = CASES[name]
    (kb_root / case.path).write_bytes(case.content)
    full = [problem.render() for problem in load_knowledge_base(kb_root).problems]
    assert _rendered(check_tree(kb_root, use_cache=False)) == full
    assert _rendered(check_tree(kb_root)) == full
    assert _rendered(check_tree(kb_root)) == full
    lean = load_knowledge_base(kb_root, keep_documents=False)
    assert [problem.render() for problem in lean.problems] == full


def _dumped(papers: dict[str, Paper]) -> dict[str, dict[str, object]]:
    return {pid: paper.model_dump() for pid, paper in papers.items()}


def test_a_build_load_reads_unchanged_records_from_the_store(
    kb_root: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    full = _dumped(load_knowledge_base(kb_root).kb.papers)
    counted.clear()
    assert _dumped(load_knowledge_base(kb_root, keep_documents=False).kb.papers) == full
    assert len(counted) == 2 and records_path(kb_root).is_file()
    counted.clear()
    assert _dumped(load_knowledge_base(kb_root, keep_documents=False).kb.papers) == full
    assert counted == []
    path = kb_root / "papers" / "doe2024probing.yaml"
    path.write_text(path.read_text().replace("venue: neurips", "venue: tmlr"))
    lean = load_knowledge_base(kb_root, keep_documents=False)
    assert counted == ["papers/doe2024probing.yaml"]
    assert lean.kb.papers["doe2024probing"].venue == "tmlr"
    assert _dumped(lean.kb.papers) == _dumped(load_knowledge_base(kb_root).kb.papers)


def test_records_validated_before_but_not_stored_are_read_from_their_files(
    kb_root: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    check_tree(kb_root)
    counted.clear()
    lean = load_knowledge_base(kb_root, keep_documents=False)
    assert sorted(counted) == ["papers/belrose2023eliciting.yaml", "papers/doe2024probing.yaml"]
    assert _dumped(lean.kb.papers) == _dumped(load_knowledge_base(kb_root).kb.papers)


def test_a_corrupt_or_tampered_record_store_is_not_trusted(
    kb_root: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(kb_root, monkeypatch)
    full = _dumped(load_knowledge_base(kb_root).kb.papers)
    load_knowledge_base(kb_root, keep_documents=False)
    store = records_path(kb_root)
    data = bytearray(store.read_bytes())
    data[-5] ^= 0xFF
    store.write_bytes(bytes(data))
    counted.clear()
    assert _dumped(load_knowledge_base(kb_root, keep_documents=False).kb.papers) == full
    assert len(counted) == 2
    # A store with a valid checksum whose JSON no longer validates is read from the files.
    key = pipeline._check_tree(kb_root, True, 1).key
    write_records(kb_root, key, {digest: "{}" for digest in cache.read_records(kb_root, key)})
    counted.clear()
    lean = load_knowledge_base(kb_root, keep_documents=False)
    assert _dumped(lean.kb.papers) == full and lean.problems == [] and len(counted) == 2


def test_a_file_that_changes_while_it_is_loaded_is_an_error_not_a_stale_record(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_tree(kb_root)
    original = pipeline._check_tree
    path = kb_root / "papers" / "doe2024probing.yaml"

    def then_edit(*args: object, **kwargs: object) -> object:
        tree = original(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(path.read_text().replace("venue: neurips", "venue: tmlr"))
        return tree

    monkeypatch.setattr(pipeline, "_check_tree", then_edit)
    result = load_knowledge_base(kb_root, keep_documents=False)
    assert [(p.code, p.path) for p in result.errors()] == [
        ("load-failed", str(path.relative_to(kb_root)))
    ]
    assert "changed while kb was reading" in result.errors()[0].message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records)
def test_any_valid_record_reads_back_from_its_stored_json(record: dict[str, object]) -> None:
    model = paper_model(load_knowledge_base(FIXTURE_KB).kb.taxonomy)
    paper = model.model_validate(record)
    assert model.model_validate_json(paper.model_dump_json()) == paper
