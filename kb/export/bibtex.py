"""BibTeX for records: one entry per record, keyed by its id, laid out as bibtexparser v2 does.

Choices a researcher can rely on:

- The key is the record id, which never changes. A record renamed in the past lists its old
  keys in `aliases`; they go into biblatex's `ids` field, so `\\cite{oldkey}` keeps working
  with biblatex/biber, and classic BibTeX ignores the field. `with_aliases=True` adds, for
  classic BibTeX, a copy of the entry under each old key with a `note` naming the current one
  (cite only one of the two in a document, or the paper is listed twice).
- The entry type is the record's `entry_type`, else follows the venue's kind: conference and
  workshop papers are `@inproceedings` (booktitle = the venue's full name), journal papers
  `@article` (journal), preprints `@misc` as arXiv recommends (eprint, archivePrefix, url to the
  abstract page), online material `@misc` with howpublished and url.
- Published papers with an arXiv version carry `eprint` and `archivePrefix` as well;
  `primaryClass` is left out because records do not hold it.
- Words with an inner capital or a digit (`LLaVA`, `CLIP`, `GPT-4V`, `3D`) are braced in
  titles, so sentence-case styles keep them.
- Authors are written `Family, Given` and joined by ` and `; a stray word "and" inside a name
  is braced so that it does not split the name.
- Text is escaped with `kb.latex.latex_escape` (kept UTF-8 unless `ascii`), URLs and DOIs are
  kept as they are except that braces, backslashes and spaces, which no URL holds raw and which
  would break the file, are percent-encoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.core.records import Paper
from kb.core.taxonomy import Taxonomy
from kb.export.latex import latex_escape

__all__ = [
    "VENUE_ENTRY_TYPES",
    "arxiv_url",
    "bibtex_entry",
    "bibtex_library",
    "bibtex_name",
    "bibtex_title",
    "entry_fields",
    "entry_type",
    "name_parts",
]

# The BibTeX entry type for a venue kind, when a record sets no `entry_type`.
VENUE_ENTRY_TYPES: dict[str, str] = {
    "conference": "inproceedings",
    "workshop": "inproceedings",
    "journal": "article",
    "preprint": "misc",
    "online": "misc",
}
# Which field names the venue, per entry type.
_VENUE_FIELD: dict[str, str] = {
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "article": "journal",
    "techreport": "institution",
    "phdthesis": "school",
    "misc": "howpublished",
}
_URL_UNSAFE = re.compile(r"[{}\\\s]")
_AND = re.compile(r"(?<!\S)(and)(?!\S)", re.IGNORECASE)
_WORDS = re.compile(r"(\s+)")
# In an escaped ASCII title: each word with a capital after its first character or a digit.
_ASCII_PROTECTED = re.compile(r"(?<!\S)(?=\S+[A-Z]|\S*[0-9])\S+")


def arxiv_url(arxiv: str) -> str:
    """The abstract page of an arXiv id, the URL arXiv asks citations to use."""
    return f"https://arxiv.org/abs/{arxiv}"


def entry_type(paper: Paper, taxonomy: Taxonomy) -> str:
    """The record's `entry_type`, else the type its venue's kind implies."""
    if paper.entry_type is not None:
        return paper.entry_type
    return VENUE_ENTRY_TYPES[taxonomy.venues[paper.venue].kind]


def bibtex_name(name: str) -> str:
    """A record's author as `Family, Given` (plain text, not yet escaped).

    Records write `Given Family`, or `Family, Given` when the family name has several words;
    lowercase particles before the last word (`Jane van der Berg`) stay with the family name,
    as BibTeX itself would read them.

    >>> bibtex_name("Jiahao Huo"), bibtex_name("van der Berg, Piet")
    ('Huo, Jiahao', 'van der Berg, Piet')
    >>> bibtex_name("Jane van der Berg")
    'van der Berg, Jane'
    """
    parts = name_parts(name)
    return name if parts is None else f"{parts[0]}, {parts[1]}"


def name_parts(name: str) -> tuple[str, str] | None:
    """A record's author as (family, given), as `bibtex_name` reads it; None for one word.

    >>> name_parts("Jane van der Berg"), name_parts("OpenAI")
    (('van der Berg', 'Jane'), None)
    """
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    words = name.split()
    if len(words) < 2:
        return None
    start = len(words) - 1
    while start > 1 and words[start - 1][:1].islower():
        start -= 1
    return " ".join(words[start:]), " ".join(words[:start])


def _brace_and(escaped: str) -> str:
    """Brace a free-standing "and", which BibTeX would read as the next name."""
    # NOTE: ASCII text without "and" in any case, the usual name, cannot match.
    if escaped.isascii() and "and" not in escaped.lower():
        return escaped
    return _AND.sub(r"{\1}", escaped)


def _escape_name(name: str, ascii: bool) -> str:
    parts = name_parts(name)
    if parts is None:
        return _brace_and(latex_escape(name, ascii))
    family, given = parts
    if not family or not given:
        # NOTE: BibTeX rejects a name with an empty part; braced, it is one opaque name.
        return f"{{{latex_escape(f'{family}, {given}', ascii)}}}"
    # NOTE: BibTeX allows at most two commas in a name; others are braced so they print.
    given_part = latex_escape(given, ascii).replace(",", "{,}")
    return f"{_brace_and(latex_escape(family, ascii))}, {_brace_and(given_part)}"


def _protect(word: str) -> bool:
    return any(char.isupper() for char in word[1:]) or any(char.isdigit() for char in word)


def bibtex_title(title: str, ascii: bool = False) -> str:
    """The title escaped, with every word that has an inner capital or a digit in braces.

    >>> bibtex_title("LLaVA and CLIP in 3D: 50% of Cases")
    '{LLaVA} and {CLIP} in {3D:} {50\\\\%} of Cases'
    """
    if title.isascii():
        # NOTE: escaping ASCII adds no space, capital or digit, and whitespace stays
        # whitespace, so the escaped title has the same words to brace, found in one pass.
        return _ASCII_PROTECTED.sub(r"{\g<0>}", latex_escape(title, ascii))
    out: list[str] = []
    for part in _WORDS.split(title):
        escaped = latex_escape(part, ascii)
        out.append(f"{{{escaped}}}" if part and not part.isspace() and _protect(part) else escaped)
    return "".join(out)


def _url(value: str) -> str:
    return _URL_UNSAFE.sub(lambda match: f"%{ord(match.group(0)):02X}", value)


def entry_fields(paper: Paper, taxonomy: Taxonomy, ascii: bool = False) -> list[tuple[str, str]]:
    """The (name, BibTeX-ready value) pairs of a record's entry, in the order they are written."""
    kind = entry_type(paper, taxonomy)
    venue = taxonomy.venues[paper.venue]
    authors = " and ".join(_escape_name(author, ascii) for author in paper.authors)
    fields = [("author", authors), ("title", bibtex_title(paper.title, ascii))]
    venue_field = _VENUE_FIELD.get(kind)
    # NOTE: arXiv's own BibTeX for a preprint names no venue; eprint and url say it all.
    if venue_field is not None and not (kind == "misc" and venue.kind == "preprint"):
        fields.append((venue_field, latex_escape(venue.full, ascii)))
    fields.append(("year", str(paper.year)))
    if paper.arxiv is not None:
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
    if paper.doi is not None:
        fields.append(("doi", _url(paper.doi)))
    url = paper.url or (arxiv_url(paper.arxiv) if paper.arxiv else None)
    if url is not None:
        fields.append(("url", _url(url)))
    if paper.aliases:
        fields.append(("ids", ",".join(paper.aliases)))
    return fields


def _entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    """An entry as bibtexparser v2 writes it with a two-space indent and trailing commas.

    NOTE: formatted here rather than by its writer, which builds, transforms and copies an
    object per entry and field, most of the time of a whole library. Values are already safe
    (escaped, percent-encoded or ids), so braces are all the writer would add.
    """
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@{kind}{{{key},\n{body}}}\n"


def _alias_entries(paper: Paper, kind: str, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, entry) of the copies of a record's entry under its old keys, for classic BibTeX."""
    copied = [(name, value) for name, value in fields if name != "ids"]
    copied.append(("note", f"Old key of {paper.id}; cite {paper.id} instead"))
    return [(alias, _entry(kind, alias, copied)) for alias in paper.aliases]


def bibtex_entry(paper: Paper, taxonomy: Taxonomy, ascii: bool = False) -> str:
    """One record as a BibTeX entry (text ending in a newline)."""
    return _entry(entry_type(paper, taxonomy), paper.id, entry_fields(paper, taxonomy, ascii))


def bibtex_library(
    papers: Iterable[Paper], taxonomy: Taxonomy, ascii: bool = False, with_aliases: bool = False
) -> str:
    """Records as a `.bib` file, in the order given (the knowledge base's is by id).

    The file is the entries joined by blank lines. A key used twice raises ValueError.
    """
    entries: dict[str, str] = {}
    for paper in papers:
        kind = entry_type(paper, taxonomy)
        fields = entry_fields(paper, taxonomy, ascii)
        found = [(paper.id, _entry(kind, paper.id, fields))]
        if with_aliases:
            found += _alias_entries(paper, kind, fields)
        for key, entry in found:
            if key in entries:
                raise ValueError(f"Duplicate BibTeX key: {key}")
            entries[key] = entry
    return "\n".join(entries.values())
