"""The JSON files the browser loads: the explorer's index, per-paper shards, graph chunks.

Nothing here is inlined into pages. The explorer loads a compressed index of facet values
(small integers), then only the row and word shards it needs, and fetches BibTeX and CSL-JSON
only for the shards a selection touches. The graph is cut into chunks by influence rank: chunk
k holds the next papers and the links among everything loaded so far, so the default view of a
100,000-paper graph reads one chunk.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from typing import Any

from kb.core.records import Paper
from kb.export.csl import csl_item
from kb.site.context import SiteContext
from kb.site.escape import display_name
from kb.site.routes import method_page, paper_page, url_of

__all__ = [
    "EDGE_KINDS",
    "GRAPH_CHUNK",
    "ROW_SHARD",
    "SHARD_SIZE",
    "explorer_files",
    "graph_files",
    "paper_shards",
    "word_shard",
    "word_tokens",
]

SHARD_SIZE = 200
ROW_SHARD = 50
WORD_SHARD_PAPERS = 250
WORD_SHARDS_MAX = 1024
_WORD = re.compile(r"[^\W_]+")
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


def explorer_files(ctx: SiteContext) -> dict[str, bytes]:
    """The explorer's data, gzip-compressed: `index.json.gz`, `rows/<k>.json.gz` and
    `words/<k>.json.gz`.

    NOTE: at 100,000 papers one index of every title would be 25 MB; the explorer must show its
    first filtered result after loading at most 2 MB (benchmarks/README.md). So the index holds
    only the facet columns (small integers, about 6 bytes a paper once compressed); titles for
    the rows on screen come from row shards of ROW_SHARD papers, and the free-text filter reads
    only the word shards of the words typed. Papers are numbered by their position in id
    order, as in the BibTeX shards (`paper_shards`). The browser decompresses the files with
    DecompressionStream, so any static server will do.
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
    papers = list(ctx.papers.values())
    word_shards = max(1, min(WORD_SHARDS_MAX, len(papers) // WORD_SHARD_PAPERS))
    index: dict[str, Any] = {
        "version": 2,
        "count": len(papers),
        "shard_size": SHARD_SIZE,
        "row_shard": ROW_SHARD,
        "word_shards": word_shards,
        "vocab": vocab,
        "groups": {
            node: [position["leaf"][leaf] for leaf in taxonomy.leaves_under(node)]
            for node in taxonomy.perspectives
        },
        "year": [p.year for p in papers],
        "venue": [position["venue"].get(p.venue, -1) for p in papers],
        "code": [1 if p.code else 0 for p in papers],
        "cited": [len(ctx.cited_by.get(p.id, [])) for p in papers],
    }
    for facet, field in (
        ("leaf", "taxonomy"),
        ("method", "methods"),
        ("modality", "modalities"),
        ("model", "models"),
    ):
        where = position[facet]
        index[facet] = [[where[v] for v in getattr(p, field) if v in where] for p in papers]
    files = {"index.json.gz": _gzip(index)}
    for start in range(0, len(papers), ROW_SHARD):
        rows = [
            [p.id, p.title, display_name(p.authors[0]), len(p.authors)]
            for p in papers[start : start + ROW_SHARD]
        ]
        files[f"rows/{start // ROW_SHARD}.json.gz"] = _gzip(rows)
    for shard, words in _word_shards(papers, word_shards).items():
        files[f"words/{shard}.json.gz"] = _gzip(words)
    return files


def word_tokens(text: str) -> list[str]:
    """The words of `text` for the explorer's filter: runs of letters and digits, lower-cased.

    The explorer splits what is typed the same way (`/[\\p{L}\\p{N}]+/gu` in explorer.js).
    """
    return _WORD.findall(text.lower())


def word_shard(word: str, shards: int) -> int:
    """The word shard of every word starting with the first two UTF-16 units of `word`.

    NOTE: UTF-16 units, because that is what JavaScript's `charCodeAt` gives explorer.js.
    """
    units = word.encode("utf-16-le")
    first = int.from_bytes(units[0:2], "little")
    second = int.from_bytes(units[2:4], "little")
    return (first * 31 + second) % shards


def _word_shards(papers: list[Paper], shards: int) -> dict[int, dict[str, list[int]]]:
    """Shard -> word -> positions of the papers with that word, delta-encoded.

    Words of one character are left out: the filter needs two characters to pick a shard.
    """
    postings: dict[str, list[int]] = {}
    for place, paper in enumerate(papers):
        text = f"{paper.id} {paper.title} {' '.join(paper.authors)} {paper.year}"
        for word in set(word_tokens(text)):
            if len(word.encode("utf-16-le")) >= 4:
                postings.setdefault(word, []).append(place)
    result: dict[int, dict[str, list[int]]] = {}
    for word in sorted(postings):
        places = postings[word]
        deltas = [places[0]] + [b - a for a, b in itertools.pairwise(places)]
        result.setdefault(word_shard(word, shards), {})[word] = deltas
    return result


def _gzip(value: Any) -> bytes:
    # NOTE: mtime 0, so that the same data gives the same bytes at every build.
    return gzip.compress(_dump(value).encode("utf-8"), compresslevel=6, mtime=0)


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
