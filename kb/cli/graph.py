"""`kb graph ...` commands and the graph sections of `kb stats` (loaded only when used)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from kb.core.pipeline import load_knowledge_base
from kb.core.validate import KnowledgeBase
from kb.core.write import write_atomic
from kb.graph.build import build_graph
from kb.graph.formats import graphml, node_link
from kb.graph.gaps import gaps
from kb.graph.influence import influence
from kb.graph.queries import citation_counts, isolated_records

__all__ = ["graph", "graph_json", "print_graph_stats"]

TOP = 10


def graph_json(data: dict[str, object]) -> str:
    """Node-link data as written by `kb graph export` and the site: sorted keys, one line."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


@click.group()
def graph() -> None:
    """Export the citation and method graph (papers, methods, categories, models, modalities)."""


@graph.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "graphml"]),
    default="json",
    show_default=True,
    help="json: node-link data for the site's explorer and d3; graphml: Gephi, Cytoscape, yEd.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.pass_context
def export(ctx: click.Context, output_format: str, output: Path | None) -> None:
    """Print (or write) the graph of every record that validates; same KB, same bytes."""
    root: Path = ctx.obj["root"]
    result = load_knowledge_base(root, keep_documents=False)
    built = build_graph(result.kb)
    text = graph_json(node_link(built)) if output_format == "json" else graphml(built)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(
            f"wrote {output}: {built.number_of_nodes()} nodes, {built.number_of_edges()} edges"
        )
    if result.errors():
        click.echo(
            f"note: {len(result.errors())} record problem(s) left out; run kb validate", err=True
        )


def print_graph_stats(console: Console, kb: KnowledgeBase, top: int = TOP) -> None:
    """The `kb stats` sections from the graph: most influential records, thinnest gap cells,
    and the research records outside the citation graph (the `isolated-record` rule)."""
    built = build_graph(kb)
    scores = influence(built)
    counts = citation_counts(built)
    table = Table(title="most influential records (PageRank over citations)", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("record")
    table.add_column("year", justify="right")
    table.add_column("cited by", justify="right")
    table.add_column("PageRank", justify="right")
    for rank, (paper, score) in enumerate(list(scores.items())[:top], start=1):
        year = str(kb.papers[paper].year)
        table.add_row(str(rank), paper, year, str(counts[paper]), f"{score:.4f}")
    console.print(table)
    found = gaps(kb, limit=top)
    table = Table(title="thinnest gap cells", title_justify="left")
    table.add_column("gap")
    table.add_column("records", justify="right")
    table.add_column("expected", justify="right")
    for gap in found.thinnest:
        table.add_row(gap.text, str(gap.count), f"{gap.expected:.1f}")
    console.print(table)
    alone = isolated_records(kb)
    if alone:
        console.print(
            f"{len(alone)} research record(s) neither cite nor are cited by another record: "
            + ", ".join(alone)
        )
