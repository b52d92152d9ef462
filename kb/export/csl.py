"""CSL-JSON for records: the input format of citeproc processors (pandoc, Zotero, citeproc-py).

Values are the records' own strings: JSON needs no escaping beyond its own, and CSL processors
do the typesetting. The item type follows the same rules as BibTeX (`kb.bibtex.entry_type`):
conference and workshop papers are `paper-conference` with the venue as `container-title`,
journal papers `article-journal`, preprints `article` with publisher arXiv and the arXiv id as
`number` (the form Zotero and arXiv's own metadata use; so also a record whose `entry_type`
is article or misc on an arXiv venue), online material `webpage`.
`CSL_SCHEMA` is the subset of the CSL-JSON schema (csl-data.json, CSL 1.0.2) these items use,
written from the CSL documentation, so tests can validate without the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import Any

from kb.core.records import Paper
from kb.core.taxonomy import Taxonomy
from kb.export.bibtex import arxiv_url, entry_type, name_parts

__all__ = ["CSL_SCHEMA", "csl_item", "csl_items", "csl_json", "csl_name"]

# BibTeX entry type (see kb.bibtex) -> CSL item type.
_CSL_TYPES: dict[str, str] = {
    "inproceedings": "paper-conference",
    "article": "article-journal",
    "misc": "article",
    "techreport": "report",
    "phdthesis": "thesis",
    "incollection": "chapter",
}

# Item types of CSL 1.0.2, as listed in the specification's appendix.
_ITEM_TYPES = [
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
]

_NAME: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "family": {"type": "string"},
        "given": {"type": "string"},
        "dropping-particle": {"type": "string"},
        "non-dropping-particle": {"type": "string"},
        "suffix": {"type": "string"},
        "literal": {"type": "string"},
    },
}
_DATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "date-parts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": ["string", "number"]},
            },
        },
        "literal": {"type": "string"},
        "raw": {"type": "string"},
    },
}
_STRING_FIELDS = [
    "title",
    "container-title",
    "publisher",
    "number",
    "DOI",
    "URL",
    "note",
    "citation-key",
    "genre",
    "archive",
    "archive_location",
]

CSL_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "CSL-JSON items (the subset of csl-data.json that kb writes)",
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "id"],
        "properties": {
            "type": {"type": "string", "enum": _ITEM_TYPES},
            "id": {"type": ["string", "number"]},
            "author": {"type": "array", "items": _NAME},
            "issued": _DATE,
            **{name: {"type": "string"} for name in _STRING_FIELDS},
        },
    },
}


def csl_name(name: str) -> dict[str, str]:
    """A record's author as a CSL name: family and given, or literal for a one-word name.

    >>> csl_name("Jiahao Huo"), csl_name("van der Berg, Piet"), csl_name("OpenAI")
    ({'family': 'Huo', 'given': 'Jiahao'}, {'family': 'van der Berg', 'given': 'Piet'}, \
{'literal': 'OpenAI'})
    """
    parts = name_parts(name)
    if parts is None:
        return {"literal": name}
    return {"family": parts[0], "given": parts[1]}


def csl_item(paper: Paper, taxonomy: Taxonomy) -> dict[str, Any]:
    """One record as a CSL-JSON item (a JSON-ready dict)."""
    venue = taxonomy.venues[paper.venue]
    kind = entry_type(paper, taxonomy)
    if venue.kind == "online":
        csl_type = "webpage"
    elif venue.kind == "preprint" and kind in ("article", "misc"):
        csl_type = "article"
    else:
        csl_type = _CSL_TYPES[kind]
    item: dict[str, Any] = {
        "id": paper.id,
        "citation-key": paper.id,
        "type": csl_type,
        "title": paper.title,
        "author": [csl_name(author) for author in paper.authors],
        "issued": {"date-parts": [[paper.year]]},
    }
    if venue.kind == "preprint":
        item["publisher"] = venue.name
        if paper.arxiv is not None:
            item["number"] = f"arXiv:{paper.arxiv}"
    else:
        item["container-title"] = venue.full
    if paper.doi is not None:
        item["DOI"] = paper.doi
    url = paper.url or (arxiv_url(paper.arxiv) if paper.arxiv else None)
    if url is not None:
        item["URL"] = url
    return item


def csl_items(papers: Iterable[Paper], taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Records as a CSL-JSON array, in the order given."""
    return [csl_item(paper, taxonomy) for paper in papers]


def csl_json(papers: Iterable[Paper], taxonomy: Taxonomy) -> str:
    """`csl_items` as the text `json.dumps(items, indent=2, ensure_ascii=False)` gives.

    NOTE: written item by item: the standard encoder indents in pure Python and holds every
    item and millions of small pieces at once, slow and large for a big knowledge base.
    """
    items = [_indented(csl_item(paper, taxonomy), "  ") for paper in papers]
    return "[\n  " + ",\n  ".join(items) + "\n]" if items else "[]"


def _indented(value: Any, indent: str) -> str:
    """`value` (JSON data with string keys) as `json.dumps` indents it by 2, at `indent`."""
    if isinstance(value, str):
        return encode_basestring(value)
    inner = indent + "  "
    if isinstance(value, dict) and value:
        pairs = [f"{encode_basestring(key)}: {_indented(v, inner)}" for key, v in value.items()]
        return "{\n" + inner + f",\n{inner}".join(pairs) + "\n" + indent + "}"
    if isinstance(value, list | tuple) and value:
        items = [_indented(item, inner) for item in value]
        return "[\n" + inner + f",\n{inner}".join(items) + "\n" + indent + "]"
    return repr(value) if type(value) is int else json.dumps(value)
