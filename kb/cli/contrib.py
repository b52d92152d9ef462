"""Contributor commands: `kb add` (BibTeX or arXiv), `kb dedupe` and `kb diff BASE`.

Thin shells over `kb.contrib`'s `incoming`, `importer`, `arxiv`, `dedupe` and `diff`: they read
files, call the library, print, write through `kb.core.write` and set the exit code (0 clean,
1 problems, 2 usage).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from kb.cli.common import fail, root_of
from kb.contrib import arxiv
from kb.contrib.dedupe import find_duplicates
from kb.contrib.diff import changed_files, diff_knowledge_base, render_markdown
from kb.contrib.heads import read_entries
from kb.contrib.importer import KbState, Plan, plan_import
from kb.contrib.incoming import Incoming, incoming_from_arxiv, incoming_from_bibtex
from kb.core.load import read_tree
from kb.core.pipeline import check_tree
from kb.core.problems import Problem
from kb.core.taxonomy import VOCABULARY_FILES
from kb.core.validate import validate_taxonomy
from kb.core.write import create_new, write_atomic

__all__ = ["add", "dedupe", "diff"]

MAX_BIBTEX_BYTES = 50_000_000


def _read_bibtex(path: Path) -> str | Problem:
    display = str(path)
    if path.stat().st_size > MAX_BIBTEX_BYTES:
        return Problem("file-too-large", display, f"more than {MAX_BIBTEX_BYTES:,} bytes")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(
            "not-utf8", display, f"byte {error.start} is not UTF-8", hint="save it as UTF-8"
        )


def _print_plan(plan: Plan, dry_run: bool) -> None:
    verb = {"create": "would create", "merge": "would merge into"} if dry_run else {}
    for outcome in plan.outcomes:
        where = f"{outcome.origin}:{outcome.line} ({outcome.key})"
        if outcome.action == "create":
            click.echo(f"{verb.get('create', 'created')} {outcome.path} from {where}")
        elif outcome.action == "merge":
            changes = "; ".join(outcome.changes)
            click.echo(f"{verb.get('merge', 'merged into')} {outcome.path} from {where}: {changes}")
        elif outcome.action == "skip":
            click.echo(f"skipped {where}: {outcome.path} already has everything it gives")
        for problem in outcome.problems:
            click.echo(problem.render())
    counts = {action: 0 for action in ("create", "merge", "skip", "refuse")}
    for outcome in plan.outcomes:
        counts[outcome.action] += 1
    summary = (
        f"{counts['create']} created, {counts['merge']} merged, {counts['skip']} skipped, "
        f"{counts['refuse']} refused"
    )
    if counts["create"] and not dry_run:
        summary += ": fill in the empty fields, then run kb validate"
    click.echo(summary if not dry_run else f"dry run, nothing written: {summary}")


@click.command()
@click.option(
    "--bibtex",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A BibTeX file: every entry becomes a draft record.",
)
@click.option("--arxiv", "arxiv_id", help='An arXiv id, e.g. "2304.08485" (uses the network).')
@click.option(
    "--merge",
    is_flag=True,
    help="Merge an entry already in the KB into its record (venue, year, DOI of a preprint).",
)
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.pass_context
def add(
    ctx: click.Context, bibtex: Path | None, arxiv_id: str | None, merge: bool, dry_run: bool
) -> None:
    """Import papers from a BibTeX file or from arXiv as draft records with Scholar-style ids.

    Fields only a person can fill (taxonomy, summary, strengths, limitations, ...) are left
    empty so that kb validate lists them. An entry already in the knowledge base is refused
    with the existing record's id, or merged into it with --merge.
    """
    root = root_of(ctx)
    if (bibtex is None) == (arxiv_id is None):
        fail("give exactly one of --bibtex FILE and --arxiv ID")
    loaded = read_tree(root, list(VOCABULARY_FILES), papers=False)
    taxonomy, _ = validate_taxonomy(loaded.vocabularies)
    incoming: list[Incoming]
    if bibtex is not None:
        text = _read_bibtex(bibtex)
        if isinstance(text, Problem):
            click.echo(text.render())
            ctx.exit(1)
        incoming = incoming_from_bibtex(text, str(bibtex), taxonomy.venues)
    else:
        assert arxiv_id is not None
        click.echo(f"asking export.arxiv.org about {arxiv_id} ...", err=True)
        found = arxiv.lookup(arxiv_id)
        if isinstance(found, Problem):
            click.echo(found.render())
            ctx.exit(2 if found.code == "bad-arxiv" else 1)
        incoming = [incoming_from_arxiv(found)]
    state = KbState.of(taxonomy, read_entries(root))

    def read(display: str) -> str:
        return (root / display).read_bytes().decode("utf-8")

    plan = plan_import(incoming, state, merge=merge, today=date.today(), read=read)
    if not dry_run:
        for display, content in plan.writes.items():
            if display in plan.new_paths:
                create_new(root / display, content)
            else:
                write_atomic(root / display, content)
    _print_plan(plan, dry_run)
    errors = any(p.severity == "error" for o in plan.outcomes for p in o.problems)
    ctx.exit(1 if errors else 0)


@click.command()
@click.pass_context
def dedupe(ctx: click.Context) -> None:
    """Find records of the same paper: same arXiv id, DOI or id, near-identical titles, or a
    preprint and its published version. Exit 1 when any group is found."""
    root = root_of(ctx)
    entries = read_entries(root)
    groups = find_duplicates(entries)
    for group in groups:
        width = max(len(entry.path) for entry in group.entries)
        click.echo(f"possible duplicates ({len(group.entries)} records):")
        for entry in group.entries:
            facts = " ".join(str(v) for v in (entry.venue, entry.year) if v is not None)
            title = entry.display_title or "(no title)"
            click.echo(f"  {entry.path.ljust(width)}  {title}" + (f" ({facts})" if facts else ""))
        for link in group.links:
            click.echo(f"  because: {link}")
    if groups:
        click.echo(
            f"{len(groups)} group(s) of possible duplicates: keep one record per paper "
            "(kb add --merge helps), under the oldest id"
        )
        ctx.exit(1)
    click.echo(f"ok: no duplicates among {len(entries)} records")


@click.command()
@click.argument("base")
@click.pass_context
def diff(ctx: click.Context, base: str) -> None:
    """Summarise in Markdown what the working tree changes against BASE (a git revision):
    records added, removed, renamed and edited, new vocabulary ids, validation status."""
    root = root_of(ctx)
    files = changed_files(root, base)
    if isinstance(files, Problem):
        click.echo(files.render(), err=True)
        ctx.exit(2)
    old, new = files
    report = check_tree(root)
    click.echo(render_markdown(diff_knowledge_base(old, new, report.problems, base)), nl=False)
