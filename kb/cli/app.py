"""The `kb` command group and the core commands: validate, fmt, new, schema and stats.

The group parses arguments, calls the library, prints and sets the exit code; the other
command families live beside this module and are imported only when run.

Exit codes: 0 clean, 1 problems found, 2 bad usage, 3 internal error.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from kb.cli.common import fail, root_of
from kb.contrib.scaffold import draft_record
from kb.core.fmt import reformat, reformat_vocabulary
from kb.core.pipeline import check_tree, load_knowledge_base
from kb.core.problems import Problem, sort_problems
from kb.core.records import Paper, paper_model
from kb.core.schema import record_schema
from kb.core.taxonomy import VOCABULARY_FILES
from kb.core.write import create_new, write_atomic
from kb.graph.stats import Evidence, Screening, compute_stats

__all__ = ["main"]

ISSUES_URL = "https://github.com/mllm-xai-kb/mllm-xai-kb/issues"


# Commands defined in their own modules, imported only when run: `kb validate` must not pay
# for the import of the site builder, the exporters or the graph (scipy) on every call.
LAZY_COMMANDS: dict[str, str] = {}


class _Group(click.Group):
    """Loads commands lazily, and turns any unexpected exception into a short message."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except OSError as error:
            # NOTE: a full disk or a read-only folder is the machine's problem, not a bug.
            where = f" ({error.filename})" if error.filename else ""
            click.echo(
                f"kb: {error.strerror or error}{where}; no file was left half-written",
                err=True,
            )
            sys.exit(1)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            where = ctx.invoked_subcommand or "kb"
            click.echo(
                f"kb: internal error in `kb {where}`: {type(error).__name__}: {error}\n"
                f"  This is a bug in kb, not in your files; please report it at {ISSUES_URL}",
                err=True,
            )
            sys.exit(3)


@click.group(cls=_Group)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Knowledge base directory (holds papers/ and taxonomy/).",
)
@click.version_option(package_name="mllm-xai-kb")
@click.pass_context
def main(ctx: click.Context, root: Path) -> None:
    """mllm-xai-kb: a curated knowledge base of MLLM explainability research."""
    if not (root / "taxonomy").is_dir():
        fail(f"{root}/taxonomy not found: run kb inside a knowledge base or pass --root DIR")
    ctx.obj = {"root": root}


def _relative(root: Path, paths: tuple[Path, ...]) -> set[str]:
    shown: set[str] = set()
    for path in paths:
        if not path.exists():
            fail(f"no such file: {path}")
        try:
            shown.add(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            fail(f"{path} is not inside the knowledge base {root}")
    return shown


def _paths_in(paths: list[str], wanted: set[str]) -> list[str]:
    """The `paths` named by `wanted` (files or folders); all of them when nothing is wanted."""
    if not wanted:
        return paths
    return [p for p in paths if any(p == w or p.startswith(w.rstrip("/") + "/") for w in wanted)]


def _select(problems: list[Problem], wanted: set[str]) -> list[Problem]:
    chosen = set(_paths_in([p.path for p in problems], wanted))
    return [p for p in problems if p.path in chosen]


def _github(problem: Problem) -> str:
    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    message = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    properties = f"file={problem.path},line={problem.line},col={problem.col},title={problem.code}"
    return f"::{problem.severity} {escape(properties)}::{escape(message)}"


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text for people, github for workflow annotations, json for tools.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--notices", is_flag=True, help="Also list notices (text format; others always do).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write .kb-cache/.")
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output: str,
    strict: bool,
    notices: bool,
    no_cache: bool,
) -> None:
    """Check every record and vocabulary (or only PATHS) and report all problems at once."""
    root = root_of(ctx)
    report = check_tree(root, use_cache=not no_cache)
    wanted = _relative(root, paths)
    problems = _select(report.problems, wanted)
    if strict:
        problems = [
            Problem(p.code, p.path, p.message, p.line, p.col, p.hint, "error", p.loc)
            if p.severity == "warning"
            else p
            for p in problems
        ]
    errors = [p for p in problems if p.severity == "error"]
    if output == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    elif output == "github":
        for problem in problems:
            click.echo(_github(problem))
    else:
        for problem in problems:
            if problem.severity != "notice" or notices:
                click.echo(problem.render())
        click.echo(_summary(len(_paths_in(list(report.validated), wanted)), problems))
    ctx.exit(1 if errors else 0)


def _summary(records: int, problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    notices = len(problems) - errors - warnings
    extra = f"; {notices} notice(s) (--notices lists them)" if notices else ""
    if not errors and not warnings:
        return f"ok: {records} record{'' if records == 1 else 's'}{extra}"
    files = len({p.path for p in problems if p.severity != "notice"})
    return f"{errors} error(s), {warnings} warning(s) in {files} file(s){extra}"


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would be rewritten.")
@click.pass_context
def fmt(ctx: click.Context, paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite records and vocabularies (or only PATHS) in the canonical form."""
    root = root_of(ctx)
    result = load_knowledge_base(root)
    wanted = _relative(root, paths)
    # NOTE: a prose list written as a flow list is the one error kb fmt repairs.
    broken = {p.path for p in result.errors() if p.code != "flow-list"}
    kb = result.kb
    model = paper_model(kb.taxonomy)
    jobs: list[tuple[str, Callable[[str], str | Problem | None]]] = [
        (doc.path, functools.partial(_reformat_record, kb.papers[paper_id], model, doc.path))
        for paper_id, doc in kb.documents.items()
    ]
    vocabularies = [doc.path for doc in kb.vocabulary_documents.values()]
    jobs += [
        (
            doc.path,
            functools.partial(
                _reformat_entries, list(getattr(kb.taxonomy, name).values()), name, doc.path
            ),
        )
        for name, doc in kb.vocabulary_documents.items()
    ]
    failures: list[Problem] = []
    changed = 0
    for display, reformatted in jobs:
        if display in broken or not _paths_in([display], wanted):
            continue
        outcome = _rewrite(root / display, reformatted, check)
        if isinstance(outcome, Problem):
            failures.append(outcome)
        elif outcome:
            changed += 1
            click.echo(f"{'would reformat' if check else 'formatted'} {display}")
    untouched = [p for p in broken if p.startswith("papers/") or p in vocabularies]
    for path in sorted(set(_paths_in(untouched, wanted))):
        failures.append(
            Problem(
                "not-formatted",
                path,
                "left untouched: it does not validate",
                hint="run kb validate",
            )
        )
    for problem in sort_problems(failures):
        click.echo(problem.render())
    if not changed and not failures:
        click.echo("ok: every record and vocabulary is in canonical form")
    ctx.exit(1 if failures or (check and changed) else 0)


def _reformat_record(paper: Paper, model: type[Paper], display: str, text: str) -> Any:
    return reformat(text, paper, model, display)


def _reformat_entries(entries: list[Any], name: str, display: str, text: str) -> Any:
    return reformat_vocabulary(text, entries, VOCABULARY_FILES[name], display)


def _rewrite(
    path: Path, reformatted: Callable[[str], str | Problem | None], check: bool
) -> Problem | bool:
    """Rewrite `path` in its canonical form (unless `check`): whether it changes, or why not."""
    outcome = reformatted(path.read_bytes().decode("utf-8"))
    if isinstance(outcome, Problem) or outcome is None:
        return outcome or False
    if not check:
        write_atomic(path, outcome)
    return True


@main.command()
@click.option("--title", required=True, help="Title exactly as published.")
@click.option(
    "--author", "authors", multiple=True, required=True, help="One author, in order; repeat."
)
@click.option("--year", type=int, required=True, help="Year of the cited version.")
@click.option(
    "--venue", default="arxiv", show_default=True, help="Venue id from taxonomy/venues.yaml."
)
@click.option("--arxiv", help='arXiv id, e.g. "2406.11193".')
@click.option("--doi", help="DOI, without https://doi.org/.")
@click.option("--url", help="Landing page (venue page or arXiv).")
@click.option("--code", help="Official code repository.")
@click.option("--dry-run", is_flag=True, help="Print the draft instead of writing it.")
@click.pass_context
def new(ctx: click.Context, /, authors: tuple[str, ...], dry_run: bool, **fields: Any) -> None:
    """Create papers/<id>.yaml from metadata; the id is computed Scholar-style."""
    root = root_of(ctx)
    result = load_knowledge_base(root)
    taken = {path.stem for path in (root / "papers").glob("*.yaml")} | set(result.kb.papers)
    draft = draft_record(
        result.kb.taxonomy,
        taken,
        title=fields.pop("title"),
        authors=authors,
        year=fields.pop("year"),
        venue=fields.pop("venue"),
        today=date.today(),
        **fields,
    )
    if draft.problems:
        for problem in draft.problems:
            click.echo(problem.render())
        ctx.exit(1)
    if dry_run:
        click.echo(draft.text, nl=False)
        return
    target = root / "papers" / f"{draft.id}.yaml"
    create_new(target, draft.text)
    click.echo(f"created papers/{draft.id}.yaml: fill in the empty fields, then run kb validate")


@main.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.pass_context
def schema(ctx: click.Context, output: Path | None) -> None:
    """Print the JSON Schema of a record (for editor completion and checking)."""
    result = load_knowledge_base(root_of(ctx))
    text = json.dumps(record_schema(result.kb.taxonomy), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}")


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Counts per perspective, leaf, method, modality, year and venue; influence and gaps."""
    result = load_knowledge_base(root_of(ctx))
    numbers = compute_stats(result.kb)
    console = Console(width=100, no_color=True, highlight=False)
    console.print(
        f"{numbers.records} records, {numbers.cite_edges} citation edges, "
        f"{len(result.kb.taxonomy.methods)} methods"
    )
    tables: list[tuple[str, dict[Any, int]]] = [
        ("perspective", numbers.perspectives),
        ("leaf", numbers.leaves),
        ("method", numbers.methods),
        ("modality", numbers.modalities),
        ("year", numbers.years),
        ("venue", numbers.venues),
    ]
    for title, counts in tables:
        table = Table(title=f"records per {title}", title_justify="left")
        table.add_column(title)
        table.add_column("records", justify="right")
        for key, count in counts.items():
            table.add_row(str(key), str(count))
        console.print(table)
    _print_evidence(console, numbers.evidence, numbers.records)
    _print_screening(console, numbers.screening)
    from kb.cli.graph import print_graph_stats  # the graph needs scipy: import when used

    print_graph_stats(console, result.kb)
    if result.errors():
        click.echo(f"note: {len(result.errors())} record problem(s); run kb validate", err=True)


def _share(count: int, total: int) -> str:
    return f"{count} of {total} ({100 * count / total:.0f} %)" if total else "0"


def _print_evidence(console: Console, evidence: Evidence, records: int) -> None:
    table = Table(title="evidence", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("findings located (where:)", _share(evidence.findings_located, evidence.findings)),
        ("records with a tldr", _share(evidence.tldrs, records)),
        ("records answering trade-off properties", _share(evidence.with_properties, records)),
        ("records with located results", _share(evidence.with_results, records)),
        ("located results", str(evidence.results)),
        *((f"results on {b}", str(n)) for b, n in evidence.results_per_benchmark.items()),
        ("typed relations", str(sum(evidence.relations.values()))),
        *((f"relations: {kind}", str(n)) for kind, n in evidence.relations.items() if n),
        ("records with a primary source", _share(records - len(evidence.mirror_only), records)),
    ]
    for what, count in rows:
        table.add_row(what, count)
    console.print(table)
    if evidence.mirror_only:
        console.print(
            f"{len(evidence.mirror_only)} record(s) rest on mirrors alone (no arXiv or venue "
            "page among their sources): " + ", ".join(evidence.mirror_only)
        )


def _print_screening(console: Console, screening: Screening) -> None:
    if not screening.identified:
        return
    table = Table(title="screening (taxonomy/screening.yaml)", title_justify="left")
    table.add_column("step")
    table.add_column("works", justify="right")
    for name, count in screening.identified.items():
        table.add_row(f"identified in {name}", str(count))
    table.add_row("distinct works screened", str(screening.distinct))
    for reason, count in screening.excluded.items():
        table.add_row(f"excluded: {reason}", str(count))
    table.add_row("deferred to a later round", str(screening.deferred))
    table.add_row("included as records", str(screening.included))
    console.print(table)


# Commands that live in their own modules: name -> "module:attribute", loaded when used.
LAZY_COMMANDS.update(
    {
        "add": "kb.cli.contrib:add",
        "build": "kb.cli.site:build",
        "dedupe": "kb.cli.contrib:dedupe",
        "diff": "kb.cli.contrib:diff",
        "export": "kb.cli.export:export",
        "graph": "kb.cli.graph:graph",
        "serve": "kb.cli.site:serve",
    }
)
