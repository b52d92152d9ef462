"""Charts and diagrams as static SVG and HTML, made at build time.

Static markup needs no chart library in the browser, works without JavaScript, prints, and
keeps the Content-Security-Policy strict: colours come from CSS classes (`kb-c0`, `kb-heat-3`),
never from inline styles. Every label is escaped; every chart has a text alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "heatmap", "horizontal_bars", "lineage_diagram", "stacked_bars"]

_CHAR = 6.6  # average advance of a 12px sans-serif character, for layout only


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart: a label, its value and an optional link."""

    label: str
    value: int
    href: str | None = None


def _fit(text: str, width: float) -> str:
    """`text` cut with an ellipsis to about `width` pixels."""
    limit = max(3, int(width / _CHAR))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ticks(top: int) -> list[int]:
    """Up to five round gridline values from 0 to at least `top`."""
    if top <= 0:
        return [0]
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        step = candidate
        if top / candidate <= 5:
            break
    else:
        while top / step > 5:
            step *= 10
    return list(range(0, top + step, step))


def stacked_bars(
    title: str,
    groups: Sequence[tuple[str, str]],
    series: dict[str, dict[int | str, int]],
    keys: Sequence[int | str],
) -> Markup:
    """Vertical bars, one per key (year or month), stacked by group (perspective).

    `groups` are (id, name) pairs in stacking order; group i is coloured by class `kb-c<i>`.
    """
    width, height, left, bottom, top = 760, 280, 44, 46, 26
    plot_w, plot_h = width - left - 10, height - bottom - top
    totals = [sum(series.get(g, {}).get(k, 0) for g, _ in groups) for k in keys]
    ticks = _ticks(max(totals, default=0))
    scale = plot_h / max(ticks[-1], 1)
    slot = plot_w / max(len(keys), 1)
    bar = max(2.0, min(36.0, slot * 0.7))
    parts: list[str] = []
    for tick in ticks:
        y = top + plot_h - tick * scale
        parts.append(
            f'<line class="kb-grid" x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="kb-axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    label_every = max(1, int(len(keys) / 16) + 1) if len(keys) > 16 else 1
    for index, key in enumerate(keys):
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_h
        for number, (group, name) in enumerate(groups):
            count = series.get(group, {}).get(key, 0)
            if not count:
                continue
            h = count * scale
            y -= h
            tip = escape(f"{key} · {name}: {count}")
            parts.append(
                f'<rect class="kb-c{number}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}"><title>{tip}</title></rect>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text class="kb-axis" x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle">{escape(str(key))}</text>'
            )
    legend_x = left
    for number, (_, name) in enumerate(groups):
        parts.append(
            f'<rect class="kb-c{number}" x="{legend_x}" y="{height - 16}" width="12" height="12"/>'
            f'<text class="kb-axis" x="{legend_x + 16}" y="{height - 6}">{escape(name)}</text>'
        )
        legend_x += 28 + int(len(name) * _CHAR)
    summary = "; ".join(f"{k}: {t}" for k, t in zip(keys, totals, strict=True) if t)
    return Markup(
        f'<svg class="kb-svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}. {escape(summary)}">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def horizontal_bars(title: str, bars: Sequence[Bar]) -> Markup:
    """One labelled bar per item, longest first as given; labels link where `href` is set."""
    label_w, row, width = 250, 22, 760
    plot_w = width - label_w - 60
    most = max((b.value for b in bars), default=0) or 1
    height = row * len(bars) + 8
    parts: list[str] = []
    for index, item in enumerate(bars):
        y = 4 + index * row
        label = escape(_fit(item.label, label_w - 10))
        text = (
            f'<text class="kb-axis" x="{label_w - 8}" y="{y + 14}" text-anchor="end">{label}'
            f"<title>{escape(item.label)}</title></text>"
        )
        if item.href:
            text = f'<a href="{escape(item.href)}">{text}</a>'
        w = max(1.0, item.value / most * plot_w)
        parts.append(
            f'{text}<rect class="kb-c0" x="{label_w}" y="{y + 3}" width="{w:.1f}" '
            f'height="{row - 8}">'
            f"<title>{escape(item.label)}: {item.value}</title></rect>"
            f'<text class="kb-axis" x="{label_w + w + 6:.1f}" y="{y + 14}">{item.value}</text>'
        )
    summary = "; ".join(f"{b.label}: {b.value}" for b in bars)
    return Markup(
        f'<svg class="kb-svg" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{escape(title)}. {escape(summary)}">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def heatmap(
    caption: str,
    rows: Sequence[tuple[str, str, str | None]],
    columns: Sequence[tuple[str, str]],
    counts: dict[tuple[str, str], int],
) -> Markup:
    """A table whose cells are shaded by count (classes `kb-heat-0` to `kb-heat-5`).

    A table rather than a picture: the numbers stay readable by screen readers and by search.
    `rows` are (id, name, href) and `columns` (id, name).
    """
    most = max(counts.values(), default=0) or 1
    head = "".join(f'<th scope="col">{escape(name)}</th>' for _, name in columns)
    body: list[str] = []
    for row_id, name, href in rows:
        label = f'<a href="{escape(href)}">{escape(name)}</a>' if href else escape(name)
        cells = []
        for column_id, _ in columns:
            count = counts.get((row_id, column_id), 0)
            level = 0 if count == 0 else 1 + min(4, int(4 * count / most))
            cells.append(f'<td class="kb-heat kb-heat-{level}">{count}</td>')
        body.append(f'<tr><th scope="row">{label}</th>{"".join(cells)}</tr>')
    return Markup(
        f'<div class="kb-scroll" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f'<table class="kb-table kb-heatmap"><caption class="kb-visually-hidden">'
        f"{escape(caption)}</caption><thead><tr><td></td>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _layers(
    method: str,
    ancestors: Sequence[str],
    descendants: Sequence[str],
    parents_of: dict[str, tuple[str, ...]],
) -> dict[str, int]:
    """Column of each method: ancestors to the left (negative), descendants to the right.

    A method's column is its longest `extends` distance from `method`, so every arrow points
    rightwards. The validator rejects cycles in `extends`, so the recursion ends.
    """
    above = {method, *ancestors}
    below = {method, *descendants}
    children_of: dict[str, list[str]] = {}
    for child, parents in parents_of.items():
        for parent in parents:
            children_of.setdefault(parent, []).append(child)
    up: dict[str, int] = {method: 0}
    down: dict[str, int] = {method: 0}

    def height(node: str) -> int:
        if node not in up:
            kids = [c for c in children_of.get(node, []) if c in above]
            up[node] = 1 + max((height(c) for c in kids), default=0)
        return up[node]

    def depth(node: str) -> int:
        if node not in down:
            parents = [p for p in parents_of.get(node, ()) if p in below]
            down[node] = 1 + max((depth(p) for p in parents), default=0)
        return down[node]

    layer = {node: -height(node) for node in ancestors}
    layer.update({node: depth(node) for node in descendants})
    layer[method] = 0
    return layer


def lineage_diagram(
    method: str,
    ancestors: Sequence[str],
    descendants: Sequence[str],
    parents_of: dict[str, tuple[str, ...]],
    names: dict[str, str],
    href: Callable[[str], str],
) -> Markup | None:
    """A left-to-right diagram of the `extends` links around `method`; None when it has none.

    `parents_of` maps each method to the methods it extends, `names` gives display names and
    `href(method_id)` the link to a method's page.
    """
    if not ancestors and not descendants:
        return None
    layer = _layers(method, ancestors, descendants, parents_of)
    columns: dict[int, list[str]] = {}
    for node, column in sorted(
        layer.items(), key=lambda item: (item[1], names.get(item[0], item[0]))
    ):
        columns.setdefault(column, []).append(node)
    first = min(columns)
    box_w, box_h, gap_x, gap_y, pad = 190, 34, 60, 14, 10
    tallest = max(len(nodes) for nodes in columns.values())
    width = pad * 2 + len(columns) * box_w + (len(columns) - 1) * gap_x
    height = pad * 2 + tallest * box_h + (tallest - 1) * gap_y
    where: dict[str, tuple[float, float]] = {}
    for column, nodes in columns.items():
        x = pad + (column - first) * (box_w + gap_x)
        offset = (tallest - len(nodes)) * (box_h + gap_y) / 2
        for index, node in enumerate(nodes):
            where[node] = (x, pad + offset + index * (box_h + gap_y))
    edges: list[str] = []
    for child, (cx, cy) in where.items():
        for parent in parents_of.get(child, ()):
            if parent not in where:
                continue
            px, py = where[parent]
            x1, y1, x2, y2 = px + box_w, py + box_h / 2, cx, cy + box_h / 2
            middle = (x1 + x2) / 2
            edges.append(
                f'<path class="kb-edge" d="M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} '
                f'{middle:.1f},{y2:.1f} {x2 - 6:.1f},{y2:.1f}" marker-end="url(#kb-arrow)"/>'
            )
    boxes: list[str] = []
    for node, (bx, by) in where.items():
        name = names.get(node, node)
        kind = "kb-box kb-box-self" if node == method else "kb-box"
        label = (
            f'<rect class="{kind}" x="{bx:.1f}" y="{by:.1f}" width="{box_w}" height="{box_h}" '
            f'rx="6"/><text class="kb-box-text" x="{bx + box_w / 2:.1f}" '
            f'y="{by + box_h / 2 + 4:.1f}" text-anchor="middle">{escape(_fit(name, box_w - 16))}'
            f"<title>{escape(name)}</title></text>"
        )
        if node != method:
            label = f'<a href="{escape(href(node))}">{label}</a>'
        boxes.append(label)
    title = f"Lineage of {names.get(method, method)}"
    description = (
        f"Extends: {', '.join(names.get(a, a) for a in ancestors) or 'nothing'}. "
        f"Extended by: {', '.join(names.get(d, d) for d in descendants) or 'nothing'}."
    )
    return Markup(
        f'<svg class="kb-svg kb-lineage-svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" role="group" aria-label="{escape(title)}. {escape(description)}">'
        f"<title>{escape(title)}</title>"
        '<defs><marker id="kb-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        '<path class="kb-arrow" d="M0,0 L10,5 L0,10 z"/>'
        f"</marker></defs>{''.join(edges)}{''.join(boxes)}</svg>"
    )
