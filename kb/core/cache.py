"""A content-hash cache of per-file validation results under `.kb-cache/`.

An entry holds what validating one record file produced: its problems and the `Facts` the
cross-record checks need; the cache also keeps the cross-record problems found with exactly its
entries, which stand as long as no file changed, came or went. An entry is reused only when the
file's bytes hash to the same digest (the size and modification time merely spare reading files
that cannot have changed), and the whole cache only when the code of `kb` and the vocabularies
are the same as when it was written.
A cache that cannot be read, or whose checksum does not match, is ignored and rebuilt.

Beside it, the commands that render or export records keep the validated records themselves,
as JSON by the digest of their file, under the same key: parsing YAML is most of a load, and
pydantic reads a record back from its JSON several times faster (and checks it again).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.core.checks import Facts
from kb.core.problems import Problem
from kb.core.write import write_atomic

__all__ = [
    "CACHE_DIR",
    "Cache",
    "RawEntry",
    "cache_path",
    "code_digest",
    "entry_facts",
    "entry_problems",
    "file_digest",
    "make_entry",
    "read_cache",
    "read_records",
    "records_path",
    "stat_stamp",
    "write_cache",
    "write_records",
]

CACHE_DIR = ".kb-cache"
_FILE = "validate.marshal"
_MAGIC = b"kb-cache-4\n"
_RECORDS_FILE = "records.marshal"

# What validating one file produced, as stored (marshal-ready tuples): size, stat stamp,
# content digest, problems, facts. Kept in this form and turned into objects only when needed:
# a warm run at 100,000 records needs almost none of them.
RawEntry = tuple[int, tuple[int, int, int], bytes, tuple[tuple[Any, ...], ...], Any]


@dataclass(frozen=True)
class Cache:
    """The per-file entries, and the cross-record problems found with exactly those files."""

    entries: dict[str, RawEntry]
    cross: tuple[tuple[Any, ...], ...] = ()


def stat_stamp(stat: os.stat_result) -> tuple[int, int, int]:
    """Modification time, change time and inode: any write or replacement changes one of them.

    NOTE: the change time cannot be set back by a user (unlike the modification time, which
    tools such as `touch -r` or a copy with `cp -p` restore), so an edit never hides behind it.
    """
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def file_digest(data: bytes) -> bytes:
    """The content hash of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).digest()


def code_digest(vocabulary_bytes: list[bytes]) -> bytes:
    """A digest of kb's own source and of the vocabularies: any change invalidates the cache."""
    digest = hashlib.blake2b(digest_size=16)
    for source in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(source.read_bytes())
    for data in vocabulary_bytes:
        digest.update(file_digest(data))
    return digest.digest()


def _problem_tuple(problem: Problem) -> tuple[Any, ...]:
    p = problem
    return (p.code, p.path, p.message, p.line, p.col, p.hint, p.severity, p.loc)


def make_entry(
    size: int,
    stamp: tuple[int, int, int],
    digest: bytes,
    problems: list[Problem],
    facts: Facts | None,
) -> RawEntry:
    """The stored form of one file's results."""
    stored = None
    if facts is not None:
        f = facts
        positions = {loc: tuple(position) for loc, position in f.positions.items()}
        stored = (
            f.id,
            f.path,
            f.year,
            f.arxiv,
            f.doi,
            f.cites,
            f.aliases,
            f.kind,
            positions,
            f.relations,
        )
    return size, stamp, digest, tuple(_problem_tuple(p) for p in problems), stored


def entry_problems(entry: RawEntry) -> list[Problem]:
    """The problems of one stored entry."""
    return [Problem(*problem) for problem in entry[3]]


def entry_facts(entry: RawEntry) -> Facts | None:
    """The facts of one stored entry (None for a file that did not validate)."""
    if entry[4] is None:
        return None
    # NOTE: positions stay the (line, col) tuples marshal gives back: a warm run reads
    # hundreds of thousands of them and needs almost none.
    record_id, path, year, arxiv, doi, cites, aliases, kind, positions, relations = entry[4]
    return Facts(record_id, path, year, arxiv, doi, cites, aliases, kind, positions, relations)


def cache_path(root: Path) -> Path:
    """Where the validation cache of the knowledge base under `root` lives."""
    return root / CACHE_DIR / _FILE


def records_path(root: Path) -> Path:
    """Where the validated records of the knowledge base under `root` are kept."""
    return root / CACHE_DIR / _RECORDS_FILE


def read_cache(root: Path, key: bytes) -> Cache:
    """The stored entries by file path; none when the cache is missing, stale or corrupt."""
    value = _read_sealed(cache_path(root), key)
    try:
        entries, cross = value
        if isinstance(entries, dict):
            return Cache(entries, tuple(cross))
    except (ValueError, TypeError):
        pass
    return Cache({})


def write_cache(root: Path, key: bytes, entries: dict[str, RawEntry], cross: list[Problem]) -> None:
    """Store `entries` and the cross-record problems found with them, atomically; a failure to
    write only costs speed next time."""
    _write_sealed(cache_path(root), key, (entries, tuple(_problem_tuple(p) for p in cross)))


def read_records(root: Path, key: bytes) -> dict[bytes, str]:
    """Validated records as JSON by the digest of the file they came from; none when the store
    is missing, stale or corrupt."""
    value = _read_sealed(records_path(root), key)
    return value if isinstance(value, dict) else {}


def write_records(root: Path, key: bytes, records: dict[bytes, str]) -> None:
    """Store the records' JSON by file digest, atomically; a failure to write only costs speed."""
    _write_sealed(records_path(root), key, records)


def _read_sealed(path: Path, key: bytes) -> Any:
    """The value stored at `path` with `key`, or None if it is missing, stale or corrupt."""
    try:
        raw = path.read_bytes()
        if not raw.startswith(_MAGIC):
            return None
        checksum, body = raw[len(_MAGIC) : len(_MAGIC) + 16], raw[len(_MAGIC) + 16 :]
        if file_digest(body) != checksum:
            return None
        stored_key, value = marshal.loads(body)
        return value if stored_key == key else None
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _write_sealed(path: Path, key: bytes, value: Any) -> None:
    body = marshal.dumps((key, value))
    try:
        write_atomic(path, _MAGIC + file_digest(body) + body)
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists():
            write_atomic(gitignore, "*\n")
    except OSError:
        pass
