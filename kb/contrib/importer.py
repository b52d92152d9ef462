"""`kb add`'s plan: incoming papers become draft records, or merge into existing ones.

Every incoming entry is an `Incoming` value (`kb.contrib.incoming` reads BibTeX entries and arXiv
answers into them); `plan_import` turns a sequence of them into a `Plan` (texts to write and one
`Outcome` per entry) without touching any file. An entry that is already in the knowledge base
(same arXiv id or DOI, a near-identical title, or a preprint and its published version:
`kb.contrib.dedupe.Index`) is refused with the existing record's id, or merged into it: the
published venue, year, DOI and landing page go into a preprint record, the record keeps its id
(keys are for ever) and is rewritten in the canonical form of `kb.core.fmt`.
Published entries are taken before arXiv ones, so that a file holding both versions of a paper
creates the record of the cited version (its year is in the id) and merges the other into it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import ValidationError

from kb.contrib.dedupe import Index, Match
from kb.contrib.heads import Entry, entry_from_data, normalise_arxiv, normalise_doi
from kb.contrib.incoming import ARXIV_DOI, Incoming
from kb.contrib.scaffold import draft_record
from kb.core.fmt import SCHEMA_LINE, comment_lines, format_fields, reformat
from kb.core.load import LoadError, parse_text
from kb.core.problems import Problem
from kb.core.records import FIELD_ORDER, Paper, paper_model
from kb.core.taxonomy import Taxonomy

__all__ = [
    "Action",
    "KbState",
    "Outcome",
    "Plan",
    "plan_import",
]

Action = Literal["create", "merge", "refuse", "skip"]


@dataclass(frozen=True)
class KbState:
    """What `plan_import` needs to know of the knowledge base: the vocabularies, and the dedupe
    view of every papers/ file (valid or not, so that drafts are found as duplicates and their
    ids stay taken). A record is read in full only when an entry merges into it."""

    taxonomy: Taxonomy
    entries: tuple[Entry, ...]
    taken: frozenset[str]

    @classmethod
    def of(cls, taxonomy: Taxonomy, entries: Iterable[Entry]) -> KbState:
        """The state of a knowledge base from the entries of its papers/ files."""
        kept = tuple(sorted(entries, key=lambda entry: entry.path))
        taken = {
            name
            for entry in kept
            for name in (PurePosixPath(entry.path).stem, entry.id, *entry.aliases)
        }
        return cls(taxonomy, kept, frozenset(taken))


@dataclass(frozen=True)
class Outcome:
    """What became of one incoming entry."""

    origin: str
    key: str
    line: int
    action: Action
    record: str | None = None
    path: str | None = None
    changes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The files to write (path -> text) and what became of each entry."""

    outcomes: tuple[Outcome, ...]
    writes: dict[str, str]
    new_paths: frozenset[str]

    @property
    def refused(self) -> int:
        """How many entries were refused."""
        return sum(outcome.action == "refuse" for outcome in self.outcomes)


@dataclass
class _Working:
    """A record being built or merged during one import."""

    path: str
    data: dict[str, Any]
    header: str = ""
    paper: Paper | None = None
    original: str = ""
    new: bool = False
    created_from: str = ""


@dataclass
class _Planner:
    state: KbState
    merge: bool
    today: date
    read: Callable[[str], str]
    index: Index = field(default_factory=Index)
    working: dict[str, _Working] = field(default_factory=dict)
    by_id: dict[str, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    writes: dict[str, str] = field(default_factory=dict)
    model: type[Paper] = Paper

    def __post_init__(self) -> None:
        self.model = paper_model(self.state.taxonomy)
        self.taken = set(self.state.taken)
        for entry in self.state.entries:
            self.index.add(entry)
            self.by_id.setdefault(entry.id, entry.path)

    def run(self, incoming: Sequence[Incoming]) -> Plan:
        # NOTE: published versions first, so the record created carries the cited version.
        ordered = sorted(incoming, key=lambda item: (item.preprint, item.origin, item.line))
        outcomes = [self._one(item) for item in ordered]
        outcomes.sort(key=lambda outcome: (outcome.origin, outcome.line))
        new = frozenset(w.path for w in self.working.values() if w.new)
        return Plan(tuple(outcomes), dict(sorted(self.writes.items())), new)

    def _one(self, item: Incoming) -> Outcome:
        errors = tuple(p for p in item.notes if p.severity == "error")
        if errors:
            return Outcome(item.origin, item.key, item.line, "refuse", problems=item.notes)
        match = self.index.match(item.entry())
        if match is None:
            return self._create(item)
        return self._merge(item, match)

    def _create(self, item: Incoming) -> Outcome:
        assert item.title is not None and item.year is not None
        optional = {"arxiv": item.arxiv, "doi": item.doi, "url": item.url}
        draft = draft_record(
            self.state.taxonomy,
            self.taken,
            title=item.title,
            authors=item.authors,
            year=item.year,
            venue=item.venue or "",
            today=self.today,
            **optional,
        )
        problems = [
            Problem(p.code, item.origin, f"entry {item.key!r}: {p.message}", item.line, 1, p.hint)
            for p in draft.problems
            if not (p.code == "unknown-venue" and item.venue is None)
        ]
        if problems:
            return Outcome(
                item.origin, item.key, item.line, "refuse", problems=(*item.notes, *problems)
            )
        path = f"papers/{draft.id}.yaml"
        data = parse_text(draft.text, path).data
        self.working[path] = _Working(
            path, dict(data), new=True, created_from=f"{item.origin}:{item.line}"
        )
        self.writes[path] = draft.text
        self.taken.add(draft.id)
        self.by_id[draft.id] = path
        self.index.add(entry_from_data(data, path))
        return Outcome(item.origin, item.key, item.line, "create", draft.id, path, (), item.notes)

    def _target(self, match: Match) -> _Working | Problem:
        path = self.by_id.get(match.entry.id, match.entry.path)
        if path in self.working:
            return self.working[path]
        original = self.read(path)
        try:
            data = parse_text(original, path).data
        except LoadError as error:
            return Problem("merge-conflict", path, f"{error.problem.message}; fix it first")
        if not isinstance(data, dict):
            return Problem("merge-conflict", path, "the record is not a mapping; fix it first")
        first = original.split("\n", 1)[0]
        header = first + "\n" if first.startswith(SCHEMA_LINE) else ""
        # NOTE: a record that validates is merged as a Paper and written by kb.core.fmt's reformat;
        # a draft (empty fields) keeps its raw data and is written in the same canonical form.
        try:
            paper: Paper | None = self.model.model_validate(data)
        except ValidationError:
            paper = None
        fields = paper.model_dump() if paper is not None else data
        work = _Working(path, dict(fields), header, paper, original)
        self.working[path] = work
        return work

    def _merge(self, item: Incoming, match: Match) -> Outcome:
        target = self._target(match)
        record = match.entry.id
        if isinstance(target, Problem):
            problem = Problem(target.code, item.origin, target.message, item.line)
            return Outcome(item.origin, item.key, item.line, "refuse", problems=(problem,))
        merged, changes, conflicts = _merged(target.data, item)
        known = f" (created from {target.created_from})" if target.created_from else ""
        if not self.merge:
            hint = (
                "run again with --merge to add " + "; ".join(changes)
                if changes
                else "it adds nothing to the record; leave it out"
            )
            problem = Problem(
                "already-in-kb",
                item.origin,
                f"entry {item.key!r} is already in the knowledge base as {record!r}{known}: "
                f"{match.describe()}",
                item.line,
                hint=hint,
            )
            return Outcome(
                item.origin, item.key, item.line, "refuse", record, target.path, (), (problem,)
            )
        if conflicts:
            problem = Problem(
                "merge-conflict",
                item.origin,
                f"entry {item.key!r} disagrees with {target.path}: " + "; ".join(conflicts),
                item.line,
                hint="check both against the paper's pages, fix the record or the entry by hand",
            )
            return Outcome(
                item.origin, item.key, item.line, "refuse", record, target.path, (), (problem,)
            )
        if not changes:
            return Outcome(
                item.origin, item.key, item.line, "skip", record, target.path, (), item.notes
            )
        text = _render(target, merged, self.model)
        if isinstance(text, Problem):
            problem = Problem(
                text.code, item.origin, f"{target.path}: {text.message}", item.line, hint=text.hint
            )
            return Outcome(
                item.origin, item.key, item.line, "refuse", record, target.path, (), (problem,)
            )
        target.data = merged
        self.writes[target.path] = text
        self.index.update(entry_from_data(merged, target.path))
        return Outcome(
            item.origin,
            item.key,
            item.line,
            "merge",
            record,
            target.path,
            tuple(changes),
            item.notes,
        )


def _merged(data: Mapping[str, Any], item: Incoming) -> tuple[dict[str, Any], list[str], list[str]]:
    """`data` with what `item` adds, the changes made and the conflicts that forbid merging."""
    merged = dict(data)
    changes: list[str] = []
    conflicts: list[str] = []

    def put(name: str, value: Any) -> None:
        old = merged.get(name)
        changes.append(f"{name} {old} -> {value}" if old not in (None, "") else f"{name} {value}")
        merged[name] = value

    venue = merged.get("venue")
    upgrade = bool(item.venue) and not item.preprint and venue in (None, "", "arxiv")
    if upgrade:
        put("venue", item.venue)
        if item.year is not None and item.year != merged.get("year"):
            put("year", item.year)
    elif item.venue and not item.preprint and venue != item.venue:
        conflicts.append(f"venue is {venue!r} in the record, {item.venue!r} in the entry")
    elif (
        item.venue == venue
        and not item.preprint
        and item.year is not None
        and merged.get("year") != item.year
    ):
        conflicts.append(f"year is {merged.get('year')} in the record, {item.year} in the entry")
    old_arxiv = merged.get("arxiv")
    if item.arxiv and not old_arxiv:
        put("arxiv", item.arxiv)
    elif item.arxiv and isinstance(old_arxiv, str) and normalise_arxiv(old_arxiv) != item.arxiv:
        conflicts.append(f"arXiv id is {old_arxiv!r} in the record, {item.arxiv!r} in the entry")
    old_doi = merged.get("doi")
    if item.doi and (not old_doi or (isinstance(old_doi, str) and ARXIV_DOI.match(old_doi))):
        put("doi", item.doi)
    elif (
        item.doi and isinstance(old_doi, str) and normalise_doi(old_doi) != normalise_doi(item.doi)
    ):
        conflicts.append(f"DOI is {old_doi!r} in the record, {item.doi!r} in the entry")
    old_url = merged.get("url")
    arxiv_page = isinstance(old_url, str) and "arxiv.org/abs/" in old_url
    if item.url and (not old_url or (upgrade and arxiv_page and "arxiv.org" not in item.url)):
        put("url", item.url)
    return merged, changes, conflicts


def _render(target: _Working, data: dict[str, Any], model: type[Paper]) -> str | Problem:
    """The canonical text of a merged record (kb.core.fmt's), keeping the editor schema line."""
    if target.paper is not None:
        try:
            paper = model.model_validate(data)
        except ValueError as error:
            return Problem(
                "merge-conflict", target.path, f"the merged record would not validate: {error}"
            )
        text = reformat(target.original, paper, model, target.path)
        if isinstance(text, Problem):
            return text
        return text if text is not None else target.original
    unknown = sorted(set(data) - set(FIELD_ORDER))
    if unknown:
        return Problem(
            "merge-conflict",
            target.path,
            f"the record has unknown fields ({', '.join(unknown)}); fix it before merging",
        )
    comments = [n for n in comment_lines(target.original) if not (target.header and n == 1)]
    if comments:
        return Problem(
            "fmt-comment",
            target.path,
            f"merging would drop the comment on line {comments[0]}",
            hint="records keep no comments: move the note into a field or delete it",
        )
    return target.header + format_fields(data, keep_empty=True)


def plan_import(
    incoming: Sequence[Incoming],
    state: KbState,
    *,
    merge: bool,
    today: date,
    read: Callable[[str], str],
) -> Plan:
    """What importing `incoming` into the knowledge base of `state` would write and report.

    Nothing is written here: the CLI writes `Plan.writes` (new files with `create_new`, merged
    ones with `write_atomic`). `read` gives the current text of a record file (by its path
    under the root) when a merge has to rewrite it.
    """
    return _Planner(state, merge, today, read).run(incoming)
