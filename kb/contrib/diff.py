"""`kb diff BASE`: what a branch changes in the knowledge base, as Markdown for a PR summary.

Only files whose content differs from BASE are read and parsed, so a pull request touching a
few records costs a few parses whatever the size of the knowledge base: the working tree's
files are hashed as git hashes blobs and compared with `git ls-tree BASE`, and the old versions
of the files that differ come from one `git cat-file --batch`. Git is only read, never written.

The summary lists records added, removed, renamed (a removed and an added record with the same
arXiv id, DOI or a near-identical title: a changed key is flagged, since keys are cited and
never change), the fields changed in each edited record, vocabulary ids added or removed, and
the validation status of the branch, with the problems in the files it touches.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from kb.contrib.dedupe import Index
from kb.contrib.heads import entry_from_data
from kb.core.load import LoadError, parse_text
from kb.core.problems import Problem
from kb.core.records import FIELD_ORDER
from kb.core.taxonomy import VOCABULARY_FILES

__all__ = [
    "FieldChange",
    "KbDiff",
    "RecordChange",
    "RecordView",
    "Rename",
    "changed_files",
    "diff_knowledge_base",
    "render_markdown",
]

MAX_PROBLEMS_SHOWN = 50
_SHORT = 80
_FOLDERS = ("papers", "taxonomy")


@dataclass(frozen=True)
class RecordView:
    """A record as one side of the diff has it (raw data: drafts are records too)."""

    id: str
    path: str
    data: Any

    @property
    def title(self) -> str:
        """The title, or "" when the record has none."""
        value = self.data.get("title") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else ""

    def field(self, name: str) -> Any:
        """A top-level field's value, None when absent."""
        return self.data.get(name) if isinstance(self.data, dict) else None


@dataclass(frozen=True)
class FieldChange:
    """One top-level field whose value differs."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RecordChange:
    """A record present on both sides with different fields."""

    id: str
    path: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Rename:
    """A record whose id changed: the old and new versions and the evidence they are one."""

    old: RecordView
    new: RecordView
    evidence: str

    @property
    def alias_kept(self) -> bool:
        """Whether the new record lists the old id in `aliases`."""
        aliases = self.new.field("aliases")
        return isinstance(aliases, tuple | list) and self.old.id in aliases


@dataclass(frozen=True)
class KbDiff:
    """Everything `kb diff` reports."""

    base: str
    added: tuple[RecordView, ...]
    removed: tuple[RecordView, ...]
    renamed: tuple[Rename, ...]
    changed: tuple[RecordChange, ...]
    vocabulary_added: dict[str, tuple[str, ...]]
    vocabulary_removed: dict[str, tuple[str, ...]]
    problems: tuple[Problem, ...]
    touched: frozenset[str]


# --- reading git (read-only) --------------------------------------------------------------


def _git(root: Path, args: Sequence[str], stdin: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        input=stdin,
        capture_output=True,
        check=True,
        timeout=300,
    )
    return done.stdout


def _blob_id(data: bytes) -> str:
    """The id git gives a blob with this content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _worktree(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for folder in _FOLDERS:
        directory = root / folder
        for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                files[f"{folder}/{path.name}"] = path.read_bytes()
    return files


def _base_tree(root: Path, base: str) -> dict[str, str]:
    listing = _git(root, ["ls-tree", "-r", "-z", base, "--", *(f"{f}/" for f in _FOLDERS)])
    blobs: dict[str, str] = {}
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        parts = meta.split()
        path = name.decode("utf-8", "replace")
        _, _, file = path.partition("/")
        if len(parts) == 3 and parts[1] == b"blob" and "/" not in file and file.endswith(".yaml"):
            blobs[path] = parts[2].decode()
    return blobs


def _read_blobs(root: Path, ids: Sequence[str]) -> dict[str, bytes]:
    if not ids:
        return {}
    output = _git(root, ["cat-file", "--batch"], "".join(f"{i}\n" for i in ids).encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for blob in ids:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        size = int(header[2])
        start = header_end + 1
        blobs[blob] = output[start : start + size]
        position = start + size + 1
    return blobs


def changed_files(root: Path, base: str) -> tuple[dict[str, str], dict[str, str]] | Problem:
    """The texts, at `base` and in the working tree, of every papers/ and taxonomy/ file that
    differs between them (a file on one side only appears on that side), or why not."""
    try:
        _git(root, ["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"])
        old_ids = _base_tree(root, base)
    except FileNotFoundError:
        return Problem("git-missing", "BASE", "git is not installed; kb diff reads history")
    except subprocess.CalledProcessError as error:
        detail = error.stderr.decode("utf-8", "replace").strip().splitlines()
        return Problem(
            "bad-revision",
            "BASE",
            f"{base!r} is not a revision of this repository"
            + (f" ({detail[-1]})" if detail else ""),
            hint="name a branch, tag or commit, e.g. kb diff origin/main (fetch it first in CI)",
        )
    new_files = _worktree(root)
    differing = sorted(
        path
        for path in set(old_ids) | set(new_files)
        if path not in new_files
        or path not in old_ids
        or _blob_id(new_files[path]) != old_ids[path]
    )
    wanted = sorted({old_ids[p] for p in differing if p in old_ids})
    blobs = _read_blobs(root, wanted)
    old = {p: blobs[old_ids[p]].decode("utf-8", "replace") for p in differing if p in old_ids}
    new = {p: new_files[p].decode("utf-8", "replace") for p in differing if p in new_files}
    return old, new


# --- comparing ----------------------------------------------------------------------------


def _parse(texts: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path, text in texts.items():
        try:
            data[path] = parse_text(text, path).data
        except LoadError:
            data[path] = None
    return data


def _records(data: Mapping[str, Any]) -> dict[str, RecordView]:
    records: dict[str, RecordView] = {}
    for path, value in sorted(data.items()):
        if not path.startswith("papers/"):
            continue
        stem = PurePosixPath(path).stem
        raw_id = value.get("id") if isinstance(value, dict) else None
        record_id = raw_id if isinstance(raw_id, str) and raw_id else stem
        records.setdefault(record_id, RecordView(record_id, path, value))
    return records


def _vocabulary_ids(value: Any) -> set[str]:
    if not isinstance(value, tuple | list):
        return set()
    return {
        item["id"] for item in value if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _field_changes(old: RecordView, new: RecordView) -> tuple[FieldChange, ...]:
    before = old.data if isinstance(old.data, dict) else {}
    after = new.data if isinstance(new.data, dict) else {}
    extra = sorted((set(before) | set(after)) - set(FIELD_ORDER))
    return tuple(
        FieldChange(name, before.get(name), after.get(name))
        for name in (*FIELD_ORDER, *extra)
        if before.get(name) != after.get(name)
    )


def diff_knowledge_base(
    old_texts: Mapping[str, str],
    new_texts: Mapping[str, str],
    problems: Sequence[Problem],
    base: str,
) -> KbDiff:
    """Compare the files that differ (`changed_files`) and attach the branch's problems."""
    old_data, new_data = _parse(old_texts), _parse(new_texts)
    old_records, new_records = _records(old_data), _records(new_data)
    added = {i: r for i, r in new_records.items() if i not in old_records}
    removed = {i: r for i, r in old_records.items() if i not in new_records}
    renamed: list[Rename] = []
    index = Index.of(entry_from_data(r.data, r.path) for r in added.values())
    for record in list(removed.values()):
        match = index.match(entry_from_data(record.data, record.path))
        if match is None or match.entry.id not in added:
            continue
        renamed.append(Rename(record, added.pop(match.entry.id), match.describe()))
        del removed[record.id]
    changed = tuple(
        RecordChange(record_id, new_records[record_id].path, fields)
        for record_id in sorted(set(old_records) & set(new_records))
        if (fields := _field_changes(old_records[record_id], new_records[record_id]))
    )
    grown: dict[str, tuple[str, ...]] = {}
    shrunk: dict[str, tuple[str, ...]] = {}
    for name in VOCABULARY_FILES:
        path = f"taxonomy/{name}.yaml"
        if path not in old_texts and path not in new_texts:
            continue
        before, after = _vocabulary_ids(old_data.get(path)), _vocabulary_ids(new_data.get(path))
        if after - before:
            grown[name] = tuple(sorted(after - before))
        if before - after:
            shrunk[name] = tuple(sorted(before - after))
    return KbDiff(
        base=base,
        added=tuple(sorted(added.values(), key=lambda r: r.id)),
        removed=tuple(sorted(removed.values(), key=lambda r: r.id)),
        renamed=tuple(sorted(renamed, key=lambda r: r.old.id)),
        changed=changed,
        vocabulary_added=grown,
        vocabulary_removed=shrunk,
        problems=tuple(problems),
        touched=frozenset(new_texts),
    )


# --- Markdown -----------------------------------------------------------------------------

_ESCAPED = re.compile(r"([\\`*_\[\]{}~#!])")


def _md(text: str) -> str:
    """Untrusted text as inert Markdown: one line, HTML and Markdown syntax escaped.

    Pipes are left to `_cell`: they matter only inside tables.
    """
    flat = " ".join(text.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ESCAPED.sub(r"\\\1", flat)


def _code(value: Any) -> str:
    """A value as an inline code span that no backtick inside it can close."""
    text = " ".join(_plain(value).split())
    if len(text) > _SHORT:
        text = text[: _SHORT - 3] + "..."
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(markdown: str) -> str:
    """Markdown made safe inside a table cell (GFM splits cells at a pipe, even in code)."""
    return markdown.replace("|", "\\|")


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= _SHORT and "\n" not in value
    return isinstance(value, int | float | bool | date)


def _describe(change: FieldChange) -> str:
    name = f"`{change.name}`"
    old, new = change.old, change.new
    if old is None:
        return f"{name} added: {_code(new)}" if _scalar(new) else f"{name} added"
    if new is None:
        return f"{name} removed (was {_code(old)})" if _scalar(old) else f"{name} removed"
    if _scalar(old) and _scalar(new):
        return f"{name} {_code(old)} → {_code(new)}"
    if isinstance(old, tuple) and isinstance(new, tuple):
        if all(isinstance(i, str) for i in (*old, *new)) and (set(old) != set(new)):
            gained = [_code(i) for i in new if i not in old]
            lost = [_code(i) for i in old if i not in new]
            parts = [f"added {', '.join(gained)}"] if gained else []
            parts += [f"removed {', '.join(lost)}"] if lost else []
            return f"{name} {'; '.join(parts)}"
        if set(map(repr, old)) == set(map(repr, new)):
            return f"{name} reordered"
        return f"{name} changed ({len(old)} → {len(new)} items)"
    if isinstance(old, str) and isinstance(new, str):
        return f"{name} rewritten ({len(old.split())} → {len(new.split())} words)"
    return f"{name} changed"


def _status(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if errors:
        return f"❌ {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if warnings:
        return f"✅ valid, {warnings} warning{'s' * (warnings != 1)}"
    return "✅ valid"


def _fenced(lines: Sequence[str]) -> list[str]:
    body = "\n".join(lines)
    run = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, run + 1)
    return [f"{fence}text", *lines, fence]


def _record_row(record: RecordView) -> str:
    cells = [
        _code(record.id),
        _md(record.title) or "(no title)",
        _code(record.field("venue")) if record.field("venue") else "",
        _plain(record.field("year")),
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render_markdown(diff: KbDiff) -> str:
    """The summary as GitHub-flavoured Markdown (for `$GITHUB_STEP_SUMMARY`)."""
    counts = [
        f"{len(diff.added)} added",
        f"{len(diff.removed)} removed",
        f"{len(diff.renamed)} renamed",
        f"{len(diff.changed)} changed",
    ]
    lines = [
        f"## Knowledge base changes against {_code(diff.base)}",
        "",
        f"**{' · '.join(counts)}** · validation: {_status(diff.problems)}",
    ]
    if diff.renamed:
        lines += [
            "",
            "### ⚠️ Renamed keys",
            "",
            "Keys are for ever: papers and other records cite them. Give each record its old id "
            "(and file name) back.",
            "",
            "| old id | new id | found by |",
            "|---|---|---|",
        ]
        for rename in diff.renamed:
            note = " (old id kept in `aliases`)" if rename.alias_kept else ""
            cells = [_code(rename.old.id), _code(rename.new.id) + note, _md(rename.evidence)]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    if diff.added:
        lines += ["", "### Added", "", "| id | title | venue | year |", "|---|---|---|---|"]
        lines += [_record_row(record) for record in diff.added]
    if diff.removed:
        lines += ["", "### Removed", "", "| id | title | venue | year |", "|---|---|---|---|"]
        lines += [_record_row(record) for record in diff.removed]
    if diff.changed:
        lines += ["", "### Changed", ""]
        for change in diff.changed:
            lines.append(f"- {_code(change.id)}")
            lines += [f"  - {_describe(field)}" for field in change.fields]
    vocabulary = sorted(set(diff.vocabulary_added) | set(diff.vocabulary_removed))
    if vocabulary:
        lines += ["", "### Vocabularies", ""]
        for name in vocabulary:
            parts = []
            if diff.vocabulary_added.get(name):
                parts.append("new " + ", ".join(_code(i) for i in diff.vocabulary_added[name]))
            if diff.vocabulary_removed.get(name):
                parts.append(
                    "removed " + ", ".join(_code(i) for i in diff.vocabulary_removed[name])
                )
            lines.append(f"- `taxonomy/{name}.yaml`: {'; '.join(parts)}")
    if not (diff.added or diff.removed or diff.renamed or diff.changed or vocabulary):
        lines += ["", "No record or vocabulary changes."]
    lines += _validation(diff)
    return "\n".join(lines) + "\n"


def _validation(diff: KbDiff) -> list[str]:
    lines = ["", "### Validation", ""]
    if not diff.problems:
        return [*lines, "Every record and vocabulary validates."]
    mine = [p for p in diff.problems if p.path in diff.touched]
    others = len(diff.problems) - len(mine)
    if mine:
        lines.append(f"In files this change touches ({len(mine)}):")
        lines.append("")
        shown = [p.render() for p in mine[:MAX_PROBLEMS_SHOWN]]
        if len(mine) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(mine) - MAX_PROBLEMS_SHOWN} more: run kb validate")
        lines += _fenced(shown)
    else:
        lines.append("None of the problems is in a file this change touches.")
    if others:
        lines += ["", f"{others} other problem(s) in files this change leaves alone."]
    return lines
