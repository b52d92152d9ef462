"""The one place the stages are chained: load -> validate -> check.

`load_knowledge_base` gives every typed record, for the commands that render or export them.
`check_tree` answers `kb validate`: it needs only problems, so it keeps per-file results in a
content-hash cache and validates only files that changed, spread over the CPU's cores.
"""

from __future__ import annotations

import gc
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from pydantic import ValidationError

from kb.core.cache import (
    Cache,
    RawEntry,
    cache_path,
    code_digest,
    entry_facts,
    entry_problems,
    file_digest,
    make_entry,
    read_cache,
    read_records,
    stat_stamp,
    write_cache,
    write_records,
)
from kb.core.checks import (
    Facts,
    check_knowledge_base,
    cross_record_problems,
    facts_of,
    record_problems,
)
from kb.core.load import (
    Document,
    Loaded,
    LoadError,
    paper_files,
    parse_bytes,
    read_limited,
    read_tree,
)
from kb.core.memory import collector_paused
from kb.core.problems import Problem, sort_problems
from kb.core.records import Paper, paper_model
from kb.core.taxonomy import VOCABULARY_FILES, Taxonomy
from kb.core.validate import KnowledgeBase, validate_paper, validate_papers, validate_taxonomy

__all__ = ["Report", "Result", "check_tree", "load_knowledge_base"]

# A checked file: its path, what the cache stores of it (size, stat stamp, content digest, its
# own problems, its facts) and, when asked for, its record as JSON: plain values, cheap to send
# back from a worker process.
Checked = tuple[str, RawEntry, str | None]

# Below this many files to validate, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 1_000


@dataclass(frozen=True)
class Result:
    """A knowledge base (the records that validated) and every problem found on the way."""

    kb: KnowledgeBase
    problems: list[Problem]

    def errors(self, strict: bool = False) -> list[Problem]:
        """Problems that fail a run: errors, and warnings too when `strict`."""
        return [
            p
            for p in self.problems
            if p.severity == "error" or (strict and p.severity == "warning")
        ]


@dataclass(frozen=True)
class Report:
    """What `kb validate` needs: the record files that validated, and every problem."""

    validated: tuple[str, ...]
    problems: list[Problem]


def _vocabularies(root: Path) -> tuple[Loaded, Taxonomy, list[Problem]]:
    loaded = read_tree(root, list(VOCABULARY_FILES), papers=False)
    taxonomy, problems = validate_taxonomy(loaded.vocabularies)
    return loaded, taxonomy, loaded.problems + problems


def load_knowledge_base(root: Path, keep_documents: bool = True) -> Result:
    """Load, validate and check the knowledge base under `root` (papers/ and taxonomy/).

    Without `keep_documents` the records' YAML documents (their values with positions, about
    as large as the records again) are dropped as soon as each record is checked, and
    `kb.documents` is empty: for commands that only render or export the records.
    """
    if not keep_documents:
        return _load_lean(root)
    with collector_paused():
        loaded = read_tree(root, list(VOCABULARY_FILES))
        taxonomy, vocabulary_problems = validate_taxonomy(loaded.vocabularies)
        kb, paper_problems = validate_papers(loaded.papers, taxonomy, loaded.vocabularies)
        problems = loaded.problems + vocabulary_problems + paper_problems
        return Result(kb, sort_problems(problems + check_knowledge_base(kb)))


def _load_lean(root: Path) -> Result:
    """`load_knowledge_base` through the validation cache, keeping only the typed records.

    The problems are those of `check_tree`. The records come from the record store (their JSON
    by file digest, see kb.cache) when their file is unchanged, else from the files, parsed
    and validated on all cores as `check_tree` does: a rebuild after one edit parses one file.
    """
    with collector_paused():
        tree = _check_tree(root, True, os.cpu_count() or 1, dump=True)
        stored = read_records(root, tree.key)
        model = paper_model(tree.taxonomy)
        papers: dict[str, Paper] = {}
        kept: dict[bytes, str] = {}
        missing: list[str] = []
        for display in tree.report.validated:
            digest = tree.entries[display][2]
            text = tree.dumps.get(display) or stored.get(digest)
            paper = _from_json(model, text)
            if paper is None or text is None:
                missing.append(display)
            else:
                papers[paper.id], kept[digest] = paper, text
        problems = list(tree.report.problems)
        for display, entry, text in _check_all(root, missing, tree.taxonomy, tree.jobs, True):
            paper = _from_json(model, text)
            if paper is None or text is None or entry[2] != tree.entries[display][2]:
                problems.append(_unreadable(display, text is not None and paper is None))
            else:
                papers[paper.id], kept[entry[2]] = paper, text
        if kept.keys() != stored.keys():
            write_records(root, tree.key, kept)
        ordered = dict(sorted(papers.items()))
        kb = KnowledgeBase(tree.taxonomy, ordered, {}, tree.vocabularies)
        return Result(kb, sort_problems(problems))


def _from_json(model: type[Paper], text: str | None) -> Paper | None:
    if text is None:
        return None
    try:
        return model.model_validate_json(text)
    except ValidationError:
        return None


def _unreadable(display: str, round_trip: bool) -> Problem:
    """A record that validated in `check_tree` but could not be loaded after it."""
    if round_trip:
        message, hint = "kb could not read this record back from its JSON", "please report this"
    else:
        message = "the file changed while kb was reading the knowledge base"
        hint = "run the command again once the files stop changing"
    return Problem("load-failed", display, message, hint=hint)


def _check_bytes(
    data: bytes, display: str, model: type[Paper], taxonomy: Taxonomy
) -> tuple[list[Problem], Paper | None, Facts | None]:
    """Every problem of one record file on its own, and its record and facts if it validated."""
    try:
        doc = parse_bytes(data, display)
    except LoadError as error:
        return [error.problem], None, None
    paper, problems = validate_paper(doc, model, taxonomy)
    if paper is None:
        return problems, None, None
    return problems + record_problems(paper, doc, taxonomy), paper, facts_of(paper, doc)


_WORKER: dict[str, object] = {}


def _worker_start(root: str) -> None:
    # NOTE: process-local state of a pool worker: the model is built once per worker.
    _, taxonomy, _ = _vocabularies(Path(root))
    _WORKER["taxonomy"] = taxonomy
    _WORKER["model"] = paper_model(taxonomy)
    gc.disable()


def _worker_check(root: str, displays: list[str], dump: bool) -> list[Checked]:
    taxonomy = _WORKER["taxonomy"]
    model = _WORKER["model"]
    assert isinstance(taxonomy, Taxonomy) and isinstance(model, type)
    return [_check_path(Path(root), display, model, taxonomy, dump) for display in displays]


def _check_path(
    root: Path, display: str, model: type[Paper], taxonomy: Taxonomy, dump: bool
) -> Checked:
    path = root / display
    stat = path.stat()
    try:
        data = read_limited(path, display)
    except LoadError as error:
        entry = make_entry(stat.st_size, stat_stamp(stat), b"", [error.problem], None)
        return display, entry, None
    problems, paper, facts = _check_bytes(data, display, model, taxonomy)
    entry = make_entry(stat.st_size, stat_stamp(stat), file_digest(data), problems, facts)
    return display, entry, paper.model_dump_json() if dump and paper is not None else None


def _chunks(items: list[str], count: int) -> list[list[str]]:
    """`items` in `count` runs of about equal length, in order."""
    size = -(-len(items) // count)
    return [items[start : start + size] for start in range(0, len(items), size)]


def check_tree(root: Path, use_cache: bool = True, jobs: int | None = None) -> Report:
    """Every problem of the knowledge base under `root`, reusing cached per-file results."""
    with collector_paused():
        return _check_tree(root, use_cache, jobs or os.cpu_count() or 1).report


@dataclass(frozen=True)
class _Tree:
    """`check_tree`'s report, with what `_load_lean` needs to load the records after it."""

    report: Report
    key: bytes
    jobs: int
    taxonomy: Taxonomy
    vocabularies: dict[str, Document]
    entries: dict[str, RawEntry]
    dumps: dict[str, str]


def _check_tree(root: Path, use_cache: bool, jobs: int, dump: bool = False) -> _Tree:
    loaded, taxonomy, problems = _vocabularies(root)
    vocabulary_bytes = [
        (root / "taxonomy" / f"{name}.yaml").read_bytes() if name in loaded.vocabularies else b""
        for name in VOCABULARY_FILES
    ]
    key = code_digest(vocabulary_bytes) + sys.version.encode()
    cached = read_cache(root, key) if use_cache else Cache({})
    written = _cache_time(root) if cached.entries else 0
    displays, stray = paper_files(root)
    problems += stray
    entries: dict[str, RawEntry] = {}
    todo: list[str] = []
    # NOTE: plain strings, not Path objects: building 100,000 Paths was a third of a warm run.
    base = os.fspath(root)
    for display in displays:
        entry = cached.entries.get(display)
        if entry is not None and _unchanged(f"{base}/{display}", entry, written):
            entries[display] = entry
        else:
            todo.append(display)
    dumps: dict[str, str] = {}
    for display, entry, text in _check_all(root, todo, taxonomy, jobs, dump):
        entries[display] = entry
        if text is not None:
            dumps[display] = text
    problems += [
        p for display in displays if entries[display][3] for p in entry_problems(entries[display])
    ]
    unchanged = bool(cached.entries) and not todo and len(entries) == len(cached.entries)
    if unchanged:
        # NOTE: the same files as when the cache was written, and the same vocabularies (its
        # key): the cross-record problems found then still stand (a third of a warm run).
        cross = [Problem(*problem) for problem in cached.cross]
        paths = {e[4][0]: e[4][1] for e in entries.values() if e[4] is not None}
    else:
        records = {f.id: f for e in entries.values() if (f := entry_facts(e)) is not None}
        cross = cross_record_problems(dict(sorted(records.items())), taxonomy, loaded.vocabularies)
        paths = {record_id: facts.path for record_id, facts in records.items()}
        if use_cache:
            write_cache(root, key, entries, cross)
    report = Report(tuple(sorted(paths.values())), sort_problems(problems + cross))
    return _Tree(report, key, jobs, taxonomy, loaded.vocabularies, entries, dumps)


def _check_all(
    root: Path, todo: list[str], taxonomy: Taxonomy, jobs: int, dump: bool
) -> list[Checked]:
    """Check the files in `todo`, on all cores when there are many; with `dump`, the records
    that validated come back as JSON too."""
    if not todo:
        return []
    if jobs < 2 or len(todo) < PARALLEL_THRESHOLD:
        model = paper_model(taxonomy)
        return [_check_path(root, display, model, taxonomy, dump) for display in todo]
    workers = min(jobs, 8)
    context = get_context("fork")
    # NOTE: many small batches rather than one a worker: a worker that finishes early takes
    # another, and the results of each come back while the others still work.
    batches = _chunks(todo, workers * 8)
    with ProcessPoolExecutor(workers, context, _worker_start, (str(root),)) as pool:
        parts = pool.map(_worker_check, [str(root)] * len(batches), batches, [dump] * len(batches))
        return [row for part in parts for row in part]


def _unchanged(path: str, entry: RawEntry, written: int) -> bool:
    """Whether `path` still holds what `entry` was made from.

    NOTE: size and modification time alone may miss a write in the same clock tick as the cache
    write ("racy" files, as git calls them); such files, and any whose stat differs, are hashed.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return False
    size, stored_stamp, digest = entry[0], entry[1], entry[2]
    stamp = stat_stamp(stat)
    if stat.st_size == size and stamp == stored_stamp and max(stamp[:2]) < written - 2_000_000_000:
        return True
    if stat.st_size != size:
        return False
    with open(path, "rb") as handle:
        return file_digest(handle.read()) == digest


def _cache_time(root: Path) -> int:
    try:
        return cache_path(root).stat().st_mtime_ns
    except OSError:
        return 0
