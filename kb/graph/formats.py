"""The graph as files: node-link JSON and GraphML, in a fixed order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from kb.core.memory import collector_paused
from kb.graph.build import (
    out_adjacency,
)

__all__ = [
    "graphml",
    "node_link",
]

# --- export ---------------------------------------------------------------------------------


def _sorted_edges(graph: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Every edge by (source, target, key): sorting each neighbourhood, not the whole list."""
    succ = out_adjacency(graph)
    for u in sorted(succ):
        neighbours = succ[u]
        for v in sorted(neighbours):
            keys = neighbours[v]
            for key in sorted(keys) if len(keys) > 1 else keys:
                yield u, v, key, keys[key]


# Characters XML 1.0 cannot hold at all, not even as references (U+FFFE, U+FFFF, surrogates,
# most C0 controls); the loader already refuses the controls in records.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@collector_paused()
def node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph as node-link data (JSON-ready), nodes by id, links by (source, target, key).

    It loads back with `networkx.node_link_graph(data, edges="links")`; "links" is the key
    d3 and most graph explorers read.
    """
    nodes = graph.nodes
    return {
        "directed": True,
        "multigraph": True,
        "graph": {},
        "nodes": [{"id": node, **nodes[node]} for node in sorted(nodes)],
        "links": [
            {"source": u, "target": v, "key": key, **data}
            for u, v, key, data in _sorted_edges(graph)
        ],
    }


_GRAPHML_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}
_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>",
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
)


def _xml(value: object) -> str:
    """Element text: escaped, and the characters XML cannot hold replaced by U+FFFD."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_NOT_XML.sub("\ufffd", str(value)))


def _xml_attribute(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value))


def _graphml_data(keys: dict[str, str], data: dict[str, Any], element: str) -> str:
    """The rest of a <node> or <edge> element after its attributes, from `data`."""
    if not data:
        return " />"
    rows = "".join(
        f'      <data key="{keys[name]}">{_xml(data[name])}</data>\n' for name in sorted(data)
    )
    return f">\n{rows}    </{element}>"


def _graphml_types(items: Iterator[dict[str, Any]]) -> dict[str, str]:
    """GraphML type of each attribute name, sorted by name; mixed types fall back to string."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            found = _GRAPHML_TYPES.get(type(value), "string")
            types[name] = found if types.get(name, found) == found else "string"
    return dict(sorted(types.items()))


@collector_paused()
def graphml(graph: nx.MultiDiGraph) -> str:
    """The graph as GraphML (for Gephi, Cytoscape, yEd), nodes and edges in sorted order.

    NOTE: written directly rather than with networkx's writer, which builds an XML tree and
    takes the better part of a minute for 100,000 records. The output has the same shape
    (keys d0.., edge keys as edge ids) and `networkx.read_graphml` reads it back. Text is
    escaped; the few characters XML 1.0 cannot represent at all (U+FFFE, U+FFFF) become
    U+FFFD, so the file always parses.
    """
    nodes = [(node, graph.nodes[node]) for node in sorted(graph)]
    edges = list(_sorted_edges(graph))
    # NOTE: edges with equal (scalar) attributes share their <data> lines, written once.
    signatures = [tuple(data.items()) for *_, data in edges]
    kinds = dict(zip(signatures, (data for *_, data in edges), strict=True))
    declared = {
        "node": _graphml_types(data for _, data in nodes),
        "edge": _graphml_types(iter(kinds.values())),
    }
    ids: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    lines = list(_GRAPHML_HEAD)
    for kind, types in declared.items():
        for name, found in types.items():
            key = ids[kind][name] = f"d{len(ids['node']) + len(ids['edge'])}"
            lines.append(
                f'  <key id="{key}" for="{kind}" attr.name={_xml_attribute(name)}'
                f' attr.type="{found}" />'
            )
    lines.append('  <graph edgedefault="directed">')
    quoted = {node: _xml_attribute(node) for node, _ in nodes}
    for node, data in nodes:
        lines.append(f"    <node id={quoted[node]}" + _graphml_data(ids["node"], data, "node"))
    keys = {key: _xml_attribute(key) for key in {key for _, _, key, _ in edges}}
    rendered = {
        signature: _graphml_data(ids["edge"], data, "edge") for signature, data in kinds.items()
    }
    for (u, v, key, _), signature in zip(edges, signatures, strict=True):
        head = f"    <edge source={quoted[u]} target={quoted[v]} id={keys[key]}"
        lines.append(head + rendered[signature])
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"
