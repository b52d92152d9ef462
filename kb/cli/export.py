"""`kb export ...`: BibTeX, CSL-JSON, related work, the survey, JSON and SQLite.

Every export refuses a knowledge base with errors (`kb validate` lists them): an export is
something other people build on, so it is only made from records that check. Output goes to
standard output unless `-o FILE` is given; files are written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.cli.common import fail, root_of
from kb.core.pipeline import load_knowledge_base
from kb.core.records import Paper
from kb.core.validate import KnowledgeBase, did_you_mean
from kb.core.write import write_atomic
from kb.export.bibtex import bibtex_library
from kb.export.csl import csl_items
from kb.export.dump import document_schema, kb_document, kb_sqlite
from kb.export.survey import REFERENCES, Survey, survey
from kb.export.synthesis import related_work

__all__ = ["export"]

_OUTPUT = click.Path(dir_okay=False, path_type=Path)


def _load(ctx: click.Context) -> KnowledgeBase:
    result = load_knowledge_base(root_of(ctx), keep_documents=False)
    errors = result.errors()
    if errors:
        click.echo(
            f"kb export: the knowledge base has {len(errors)} error(s); "
            "run kb validate and fix them first",
            err=True,
        )
        ctx.exit(1)
    return result.kb


def _emit(text: str, output: Path | None, what: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text)
    click.echo(f"wrote {output} ({what})", err=True)


def _category(kb: KnowledgeBase, category: str, leaves_only: bool = False) -> list[str]:
    taxonomy = kb.taxonomy
    if category not in taxonomy.perspectives:
        hint = did_you_mean(category, taxonomy.perspectives)
        fail(f"{category!r} is not in taxonomy/perspectives.yaml" + (f"; {hint}" if hint else ""))
    leaves = taxonomy.leaves_under(category)
    if leaves_only and leaves != [category]:
        fail(f"{category!r} is a grouping node; use one of its leaves: {', '.join(leaves)}")
    return leaves


def _select(kb: KnowledgeBase, category: str | None, ids: tuple[str, ...]) -> list[Paper]:
    papers = list(kb.papers.values())
    if category is not None:
        leaves = set(_category(kb, category))
        papers = [paper for paper in papers if leaves.intersection(paper.taxonomy)]
    wanted = [key for group in ids for key in group.replace(",", " ").split()]
    if wanted:
        missing = [key for key in wanted if key not in kb.papers]
        if missing:
            hint = did_you_mean(missing[0], kb.papers)
            fail(f"no record {missing[0]!r}" + (f"; {hint}" if hint else ""))
        chosen = set(wanted)
        papers = [paper for paper in papers if paper.id in chosen]
    return papers


def _selection(function: click.decorators.FC) -> click.decorators.FC:
    function = click.option(
        "--ids",
        multiple=True,
        metavar="ID[,ID...]",
        help="Only these records (repeat, or separate with commas).",
    )(function)
    return click.option(
        "--category",
        metavar="ID",
        help="Only records filed under this category (a leaf or a grouping node).",
    )(function)


@click.group()
def export() -> None:
    """Export the knowledge base: BibTeX, CSL-JSON, related work, survey, JSON, SQLite."""


@export.command("bibtex")
@_selection
@click.option("--ascii", "ascii_only", is_flag=True, help="LaTeX accents instead of UTF-8.")
@click.option(
    "--with-aliases",
    is_flag=True,
    help="Also write a copy of an entry under each old key in `aliases` (classic BibTeX).",
)
@click.option("-o", "--output", type=_OUTPUT, help="Write to FILE instead of standard output.")
@click.pass_context
def bibtex_command(
    ctx: click.Context,
    category: str | None,
    ids: tuple[str, ...],
    ascii_only: bool,
    with_aliases: bool,
    output: Path | None,
) -> None:
    """BibTeX entries keyed by record id (old keys go in biblatex's `ids` field)."""
    kb = _load(ctx)
    papers = _select(kb, category, ids)
    text = bibtex_library(papers, kb.taxonomy, ascii=ascii_only, with_aliases=with_aliases)
    _emit(text, output, f"{len(papers)} entries")


@export.command("csl-json")
@_selection
@click.option("-o", "--output", type=_OUTPUT, help="Write to FILE instead of standard output.")
@click.pass_context
def csl_json_command(
    ctx: click.Context, category: str | None, ids: tuple[str, ...], output: Path | None
) -> None:
    """CSL-JSON items (for pandoc --citeproc, Zotero and other citeproc tools)."""
    kb = _load(ctx)
    papers = _select(kb, category, ids)
    text = json.dumps(csl_items(papers, kb.taxonomy), indent=2, ensure_ascii=False) + "\n"
    _emit(text, output, f"{len(papers)} items")


def _format_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["md", "tex"]),
        default="md",
        show_default=True,
        help="md: pandoc Markdown with [@id] citations; tex: LaTeX with natbib's \\citep{id}.",
    )(function)


@export.command("related-work")
@click.option("--category", metavar="LEAF", help="A leaf category id.")
@click.option("--ids", metavar="ID,ID,...", help="Record ids, instead of a category.")
@_format_option
@click.option("-o", "--output", type=_OUTPUT, help="Write to FILE instead of standard output.")
@click.pass_context
def related_work_command(
    ctx: click.Context, category: str | None, ids: str | None, fmt: str, output: Path | None
) -> None:
    """Ready-to-edit related-work paragraphs for a category or any records, method by method."""
    if (category is None) == (ids is None):
        raise click.UsageError("give either --category LEAF or --ids ID,ID,...")
    kb = _load(ctx)
    chosen = [part.strip() for part in (ids or "").split(",") if part.strip()]
    if category is not None:
        _category(kb, category, leaves_only=True)
    elif not chosen:
        raise click.UsageError("--ids names no record")
    else:
        _select(kb, None, tuple(chosen))
    text = related_work(kb, category, chosen, "tex" if fmt == "tex" else "md")
    _emit(text, output, f"related work for {category or 'the selected records'}")


@export.command("survey")
@_format_option
@click.option(
    "-o",
    "--output",
    type=_OUTPUT,
    help="Main file (default: exports/survey/survey.md or .tex under the knowledge base); "
    "the bibliography is written beside it.",
)
@click.pass_context
def survey_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """The generated survey, with its bibliography beside it (LaTeX: latexmk -pdf builds it)."""
    kb = _load(ctx)
    if output is None:
        output = root_of(ctx) / "exports" / "survey" / f"survey.{fmt}"
    result = survey(kb, "tex" if fmt == "tex" else "md", name=output.stem)
    _write_survey(output.parent, result)
    build = "latexmk -pdf" if fmt == "tex" else "pandoc --citeproc"
    click.echo(f"wrote {output.parent / result.main}; build it there with {build}", err=True)


def _write_survey(folder: Path, result: Survey) -> None:
    """The bibliography first, then the main file naming it, then stale bibliographies: at any
    moment the main file in `folder` names a complete bibliography from its own run."""
    for name, text in result.files.items():
        if name != result.main:
            write_atomic(folder / name, text)
    write_atomic(folder / result.main, result.files[result.main])
    named = " ".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in folder.iterdir()
        if path.suffix in (".tex", ".md") and path.is_file()
    )
    for stale in folder.iterdir():
        if REFERENCES.match(stale.name) and stale.stem not in named:
            stale.unlink(missing_ok=True)


@export.command("json")
@click.option(
    "-o",
    "--output",
    type=_OUTPUT,
    help="Write to FILE, and its JSON Schema beside it as <stem>.schema.json.",
)
@click.option("--schema", is_flag=True, help="Print the JSON Schema instead of the document.")
@click.pass_context
def json_command(ctx: click.Context, output: Path | None, schema: bool) -> None:
    """The whole knowledge base as one JSON document, with its JSON Schema."""
    kb = _load(ctx)
    schema_text = json.dumps(document_schema(kb.taxonomy), indent=2, ensure_ascii=False) + "\n"
    if schema:
        _emit(schema_text, output, "JSON Schema")
        return
    text = json.dumps(kb_document(kb), indent=2, ensure_ascii=False) + "\n"
    _emit(text, output, f"{len(kb.papers)} records")
    if output is not None:
        schema_path = output.with_name(f"{output.stem}.schema.json")
        write_atomic(schema_path, schema_text)
        click.echo(f"wrote {schema_path} (JSON Schema)", err=True)


@export.command("sqlite")
@click.option("-o", "--output", type=_OUTPUT, required=True, help="The database file to write.")
@click.pass_context
def sqlite_command(ctx: click.Context, output: Path) -> None:
    """The knowledge base as an SQLite database (for Datasette or any SQL tool)."""
    kb = _load(ctx)
    write_atomic(output, kb_sqlite(kb))
    click.echo(f"wrote {output} ({len(kb.papers)} records)", err=True)
