"""The JSON files the browser loads: the explorer's index, per-paper shards, graph chunks.

Nothing here is inlined into pages. The explorer loads one compact index (ids, titles, facet
values as small integers) and fetches BibTeX and CSL-JSON only for the shards a selection
touches. The graph is cut into chunks by influence rank: chunk k holds the next papers and
the links among everything loaded so far, so the default view of a 100,000-paper graph reads
one chunk.
"""

from __future__ import annotations

import json
import math
from typing import Any

from kb.csl import csl_item
from kb.site.context import SiteContext
from kb.site.routes import method_page, paper_page, url_of

__all__ = [
    "EDGE_KINDS",
    "GRAPH_CHUNK",
    "SHARD_SIZE",
    "explorer_index",
    "graph_files",
    "paper_shards",
]

SHARD_SIZE = 200
GRAPH_CHUNK = 500
# Link kinds the graph explorer offers, with their labels, in legend order.
EDGE_KINDS: tuple[tuple[str, str], ...] = (
    ("cites", "Citations"),
    ("extends", "Method lineage"),
    ("proposes", "Paper proposes method"),
    ("uses", "Paper uses method"),
)


def _dump(value: Any) -> str:
    # NOTE: compact and sorted, so that builds are reproducible and diffs of the data small.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def explorer_index(ctx: SiteContext) -> str:
    """The explorer's index: vocabularies once, then one row per paper (sorted by id).

    A row is `[id, title, authors, year, venue, leaves, methods, modalities, models, code,
    cited_by]`, the facet values as indices into `vocab`; the row's position divided by
    `shard_size` names the shard with its BibTeX and CSL-JSON.
    """
    taxonomy = ctx.taxonomy
    vocab = {
        "leaf": [[leaf, taxonomy.perspectives[leaf].name] for leaf in taxonomy.leaves],
        "method": [[mid, m.name] for mid, m in taxonomy.methods.items()],
        "modality": [[mid, m.name] for mid, m in taxonomy.modalities.items()],
        "model": [[mid, m.name] for mid, m in taxonomy.models.items()],
        "venue": [[vid, v.name] for vid, v in taxonomy.venues.items()],
    }
    position = {name: {row[0]: i for i, row in enumerate(rows)} for name, rows in vocab.items()}
    groups = {
        node: [position["leaf"][leaf] for leaf in taxonomy.leaves_under(node)]
        for node in taxonomy.perspectives
    }
    rows = [
        [
            paper.id,
            paper.title,
            list(paper.authors),
            paper.year,
            position["venue"].get(paper.venue, -1),
            [position["leaf"][leaf] for leaf in paper.taxonomy if leaf in position["leaf"]],
            [position["method"][m] for m in paper.methods if m in position["method"]],
            [position["modality"][m] for m in paper.modalities if m in position["modality"]],
            [position["model"][m] for m in paper.models if m in position["model"]],
            1 if paper.code else 0,
            len(ctx.cited_by.get(paper.id, [])),
        ]
        for paper in ctx.papers.values()
    ]
    return _dump(
        {
            "version": 1,
            "shard_size": SHARD_SIZE,
            "vocab": vocab,
            "groups": groups,
            "papers": rows,
        }
    )


def paper_shards(ctx: SiteContext) -> dict[str, str]:
    """`<n>.json` -> `{id: {"bibtex": ..., "csl": ...}}` for papers n*SHARD_SIZE onwards."""
    ids = list(ctx.papers)
    shards: dict[str, str] = {}
    for number in range(math.ceil(len(ids) / SHARD_SIZE)):
        chunk = ids[number * SHARD_SIZE : (number + 1) * SHARD_SIZE]
        shards[f"{number}.json"] = _dump(
            {
                pid: {
                    "bibtex": ctx.bibtex[pid],
                    "csl": csl_item(ctx.papers[pid], ctx.taxonomy),
                }
                for pid in chunk
            }
        )
    return shards


def _spiral(count: int, centre: tuple[float, float], spacing: float) -> list[tuple[float, float]]:
    """`count` points in a sunflower (Vogel) spiral: even density, first point in the middle."""
    golden = math.pi * (3 - math.sqrt(5))
    cx, cy = centre
    return [
        (
            cx + spacing * math.sqrt(i) * math.cos(i * golden),
            cy + spacing * math.sqrt(i) * math.sin(i * golden),
        )
        for i in range(count)
    ]


def _layout(ctx: SiteContext) -> dict[str, tuple[float, float]]:
    """Positions for every node, in linear time and the same at every build.

    Each leaf category is a disc of its papers (most influential in the middle) placed on a
    ring in taxonomy order, so the perspectives sit side by side; methods form the disc in
    the centre. Citations then show as links between and within discs.
    """
    taxonomy = ctx.taxonomy
    by_leaf: dict[str, list[str]] = {leaf: [] for leaf in taxonomy.leaves}
    for pid in ctx.by_influence(list(ctx.papers)):
        by_leaf.setdefault(ctx.papers[pid].leaf, []).append(pid)
    spacing = 10.0
    radii = {leaf: spacing * math.sqrt(max(len(ids), 1)) + spacing for leaf, ids in by_leaf.items()}
    methods = list(taxonomy.methods)
    centre_radius = spacing * math.sqrt(max(len(methods), 1)) + spacing
    circumference = sum(2 * r + spacing * 4 for r in radii.values())
    ring = max(circumference / (2 * math.pi), centre_radius + max(radii.values(), default=0) * 1.5)
    where: dict[str, tuple[float, float]] = {}
    angle = 0.0
    for leaf, ids in by_leaf.items():
        share = (2 * radii[leaf] + spacing * 4) / max(circumference, 1)
        middle = angle + share * math.pi
        centre = (ring * math.cos(middle), ring * math.sin(middle))
        for pid, point in zip(ids, _spiral(len(ids), centre, spacing), strict=True):
            where[f"paper:{pid}"] = point
        angle += share * 2 * math.pi
    used = sorted(methods, key=lambda m: (-len(ctx.method_papers[m].using), m))
    for mid, point in zip(used, _spiral(len(used), (0.0, 0.0), spacing), strict=True):
        where[f"method:{mid}"] = point
    return where


def graph_files(ctx: SiteContext) -> dict[str, str]:
    """`meta.json` and `chunk-<n>.json` for the graph explorer.

    Nodes are `[key, label, kind, group, x, y, size, url, rank, leaf]` where group is the index
    of the paper's perspective (or -1 for a method), url is relative to the site root, rank is
    the paper's place in the influence ranking (-1 for a method) and leaf its primary category.
    Chunk 0 holds every method and the first GRAPH_CHUNK papers by influence; chunk k>0 the next
    papers. Each link sits in the chunk of its later endpoint, so loading chunks 0..k gives
    exactly the links among the papers loaded.
    """
    taxonomy = ctx.taxonomy
    perspectives = taxonomy.children(None)
    group_of = {p: i for i, p in enumerate(perspectives)}
    where = _layout(ctx)
    order = ctx.by_influence(list(ctx.papers))
    chunk_of: dict[str, int] = {f"method:{m}": 0 for m in taxonomy.methods}
    for index, pid in enumerate(order):
        chunk_of[f"paper:{pid}"] = index // GRAPH_CHUNK
    count = max(1, math.ceil(len(order) / GRAPH_CHUNK))
    nodes: list[list[list[Any]]] = [[] for _ in range(count)]
    edges: list[list[list[str]]] = [[] for _ in range(count)]
    for mid, method in taxonomy.methods.items():
        users = len(ctx.method_papers[mid].using) + len(ctx.method_papers[mid].proposing)
        x, y = where[f"method:{mid}"]
        size = round(3 + min(9.0, math.sqrt(users) * 1.5), 2)
        url = url_of(method_page(mid))
        nodes[0].append(
            [
                f"method:{mid}",
                method.name,
                "method",
                -1,
                round(x, 2),
                round(y, 2),
                size,
                url,
                -1,
                "",
            ]
        )
        for parent in method.extends:
            if parent in taxonomy.methods:
                edges[0].append([f"method:{mid}", f"method:{parent}", "extends"])
    for index, pid in enumerate(order):
        paper = ctx.papers[pid]
        key = f"paper:{pid}"
        x, y = where[key]
        size = round(2 + 10 / math.sqrt(1 + index / 10), 2)
        group = group_of.get(taxonomy.perspective_of(paper.leaf), 0)
        title = paper.title if len(paper.title) <= 60 else paper.title[:57].rstrip() + "…"
        label = f"{title} ({paper.year})"
        nodes[chunk_of[key]].append(
            [
                key,
                label,
                "paper",
                group,
                round(x, 2),
                round(y, 2),
                size,
                url_of(paper_page(pid)),
                index,
                paper.leaf,
            ]
        )
        for cited in paper.cites:
            target = f"paper:{cited}"
            if target in chunk_of:
                edges[max(chunk_of[key], chunk_of[target])].append([key, target, "cites"])
        for used in paper.methods:
            if f"method:{used}" in chunk_of:
                edges[chunk_of[key]].append([key, f"method:{used}", "uses"])
    for mid in taxonomy.methods:
        for pid in ctx.method_papers[mid].proposing:
            key = f"paper:{pid}"
            if key in chunk_of:
                edges[chunk_of[key]].append([key, f"method:{mid}", "proposes"])
    files = {
        f"chunk-{n}.json": _dump({"nodes": nodes[n], "edges": sorted(edges[n])})
        for n in range(count)
    }
    files["meta.json"] = _dump(
        {
            "version": 1,
            "chunk_size": GRAPH_CHUNK,
            "chunks": [f"chunk-{n}.json" for n in range(count)],
            "papers": len(order),
            "methods": len(taxonomy.methods),
            "perspectives": [[p, taxonomy.perspectives[p].name] for p in perspectives],
            "edge_kinds": [list(kind) for kind in EDGE_KINDS],
        }
    )
    return files
