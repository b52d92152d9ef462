"""Papers for `kb add`: BibTeX entries and arXiv answers read into `Incoming` values.

The pipeline mirrors bibtexparser v2's: `parse_string` with its default stack, then
`NormalizeFieldKeys`, `SeparateCoAuthors` and `SplitNameParts`, then `LatexDecodingMiddleware`
on the text fields and on each part of each name (splitting first, so that braces such as
``{Ben Melech Stan}, Gabriela`` still protect a family name). Identifier fields (url, doi,
eprint) are read raw: LaTeX decoding would treat the ``%`` of ``%20`` as a comment.

What becomes of each `Incoming` (a new record, a merge into an existing one or a refusal) is
decided by `kb.contrib.importer.plan_import`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    NameParts,
    NormalizeFieldKeys,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.model import Entry as BibEntry
from bibtexparser.model import Field
from rapidfuzz import fuzz

from kb.contrib.arxiv import ArxivRecord
from kb.contrib.heads import (
    Entry,
    entry_from_data,
    normalise_arxiv,
    normalise_doi,
    normalise_title,
)
from kb.core.fields import ARXIV_NEW, ARXIV_OLD
from kb.core.problems import Problem
from kb.core.taxonomy import Venue

__all__ = [
    "ARXIV_DOI",
    "Incoming",
    "arxiv_in_fields",
    "incoming_from_arxiv",
    "incoming_from_bibtex",
    "map_venue",
    "person_name",
    "venue_hint",
]

_TEXT_FIELDS = ("title", "booktitle", "journal", "howpublished", "note", "year", "date")
_RAW_FIELDS = ("url", "doi", "eprint", "archiveprefix", "eprinttype", "howpublished", "note")
_ARXIV_IN_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf)/(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE
)
_ARXIV_IN_TEXT = re.compile(
    r"arxiv[\s:./]*(?:abs/)?(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE
)
ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_CORR_VOLUME = re.compile(r"^abs/(?P<id>\d{4}\.\d{4,5})$", re.IGNORECASE)
_YEAR = re.compile(r"(1[89]|20)\d\d")
_URL = re.compile(r"^https?://\S+$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")

# NOTE: words that make a different venue of the same name: a workshop is not the conference.
_QUALIFIERS = frozenset({"workshop", "workshops", "findings", "companion", "demo", "student"})
_NOISE = frozenset({"the", "of", "proceedings", "in", "proc", "and", "on", "vol", "volume"})
_ORDINALS = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth twenty thirty forty "
    "fifty sixty seventy eighty ninety".split()
)
_PREPRINT_WORDS = frozenset({"arxiv", "corr"})
_VENUE_SCORE = 95.0
_HINT_SCORE = 60.0


@dataclass(frozen=True)
class Incoming:
    """One paper to add, whatever it came from: a BibTeX entry or an arXiv answer."""

    origin: str
    key: str
    line: int
    title: str | None
    authors: tuple[str, ...]
    year: int | None
    venue: str | None
    venue_text: str = ""
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None
    notes: tuple[Problem, ...] = ()

    @property
    def preprint(self) -> bool:
        """Whether this is the arXiv version of the paper."""
        return self.venue == "arxiv"

    def entry(self) -> Entry:
        """The dedupe view of this paper."""
        return Entry(
            id=self.key,
            path=f"{self.origin}:{self.line}",
            title=normalise_title(self.title or ""),
            arxiv=self.arxiv,
            doi=normalise_doi(self.doi) if self.doi else None,
            venue=self.venue,
            year=self.year,
            first_author=entry_from_data({"authors": self.authors}, "x").first_author,
            display_title=self.title or "",
        )


# --- BibTeX -------------------------------------------------------------------------------


def person_name(parts: NameParts) -> str:
    """A name as records write it: ``Given Family``, or ``Family, Given`` for a family name of
    several words or with a von part, and ``Family, Jr., Given`` when there is a Jr. part.

    >>> person_name(NameParts(first=["Piet"], von=["van", "der"], last=["Berg"]))
    'van der Berg, Piet'
    """
    family = " ".join([*parts.von, *parts.last]).strip()
    given = " ".join(parts.first).strip()
    junior = " ".join(parts.jr).strip()
    if not given:
        return family or junior
    if junior:
        return f"{family}, {junior}, {given}"
    if len(family.split()) > 1:
        return f"{family}, {given}"
    return f"{given} {family}".strip()


def _literal(value: str) -> str:
    """A url/doi/eprint as written, minus the LaTeX escapes BibTeX files put in them."""
    text = re.sub(r"\\url\s*\{([^}]*)\}", r"\1", value.strip())
    for escaped, plain in (("\\_", "_"), ("\\%", "%"), ("\\&", "&"), ("\\#", "#"), ("\\~{}", "~")):
        text = text.replace(escaped, plain)
    return text.replace("{", "").replace("}", "").strip()


def arxiv_in_fields(fields: Mapping[str, str]) -> str | None:
    """The arXiv id hidden in an entry's raw fields: eprint, url, howpublished, note, journal,
    a CoRR volume (``abs/2309.16588``) or an arXiv DOI (``10.48550/arXiv.2304.08485``)."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    eprint = fields.get("eprint")
    if eprint and "arxiv" in prefix:
        bare = normalise_arxiv(_literal(eprint))
        if ARXIV_NEW.match(bare) or ARXIV_OLD.match(bare):
            return bare
    for name in ("url", "howpublished", "note", "pdf"):
        found = _ARXIV_IN_URL.search(_literal(fields.get(name, "")))
        if found:
            return normalise_arxiv(found.group("id"))
    for name in ("journal", "note", "howpublished", "booktitle"):
        found = _ARXIV_IN_TEXT.search(fields.get(name, ""))
        if found and (ARXIV_NEW.match(found.group("id")) or ARXIV_OLD.match(found.group("id"))):
            return normalise_arxiv(found.group("id"))
    volume = _CORR_VOLUME.match(fields.get("volume", "").strip())
    if volume and fields.get("journal", "").strip().lower() == "corr":
        return volume.group("id")
    doi = ARXIV_DOI.match(_literal(fields.get("doi", "")))
    if doi:
        return normalise_arxiv(doi.group("id"))
    return None


def _words(text: str) -> list[str]:
    words = normalise_title(text).split()
    return [
        w
        for w in words
        if w not in _NOISE and w not in _ORDINALS and not re.fullmatch(r"\d+\w*", w)
    ]


def map_venue(text: str, venues: Mapping[str, Venue], preprint: bool = False) -> str | None:
    """The id of the venue `text` (a booktitle or journal) names, or None when unsure.

    Exact matches of the id, name or full name count first; then a venue whose full name's
    words are all in `text` (or the other way round) or whose short name is a word of `text`,
    provided it is the only such venue and both agree on words like "workshop" and "findings".
    `preprint` (the entry has an arXiv id and no booktitle or journal) means arXiv.
    """
    words = _words(text)
    if (not words and preprint) or _PREPRINT_WORDS & set(words) or "preprint" in words:
        return "arxiv" if "arxiv" in venues else None
    if not words:
        return None
    joined = " ".join(words)
    for venue in venues.values():
        if joined in {" ".join(_words(venue.full)), " ".join(_words(venue.name)), venue.id}:
            return venue.id
    wanted = set(words)
    best: list[tuple[float, str]] = []
    for venue in venues.values():
        full = _words(venue.full)
        if (_QUALIFIERS & wanted) != (_QUALIFIERS & set(full)):
            continue
        name = set(_words(venue.name))
        scores = [fuzz.token_set_ratio(joined, " ".join(full))]
        if name and name <= wanted:
            scores.append(100.0)
        best.append((max(scores), venue.id))
    top = max((score for score, _ in best), default=0.0)
    winners = [venue for score, venue in best if score == top]
    if top >= _VENUE_SCORE and len(winners) == 1:
        return winners[0]
    return None


def venue_hint(text: str, venues: Mapping[str, Venue]) -> str | None:
    """A did-you-mean naming the venues of taxonomy/venues.yaml closest to `text`.

    NOTE: `kb.core.validate.did_you_mean` (WRatio on raw strings) suits ids; against long venue
    names it is swayed by shared filler ("Proceedings of the ... Conference on") and by case
    ("NeurIPS" against "neurips"), so venues are scored here on their normalised words, with
    the same `fuzz.token_set_ratio` that `map_venue` uses.
    """
    words = " ".join(_words(text))
    if not words:
        return None
    scored = sorted(
        ((_hint_score(words, venue), venue.id) for venue in venues.values()),
        key=lambda pair: (-pair[0], pair[1]),
    )
    best = scored[0][0] if scored else 0.0
    if best < _HINT_SCORE:
        return None
    close = [venue for score, venue in scored if score >= best - 5][:3]
    if len(close) == 1:
        return f"did you mean {close[0]!r} ({venues[close[0]].full})?"
    return "did you mean one of " + ", ".join(repr(v) for v in close) + "?"


def _hint_score(words: str, venue: Venue) -> float:
    score = fuzz.token_set_ratio(words, " ".join(_words(venue.full)))
    name = _words(venue.name)
    if name and set(name) <= set(words.split()):
        score = max(score, 99.0)
    return float(score)


def _year(fields: Mapping[str, str]) -> int | None:
    for name in ("year", "date"):
        found = _YEAR.search(fields.get(name, ""))
        if found:
            return int(found.group())
    return None


def _decode(entry: BibEntry, library: Library) -> tuple[dict[str, str], list[NameParts]] | None:
    """Text fields and name parts of `entry` with LaTeX decoded, or None when decoding fails."""
    names = entry.fields_dict.get("author")
    parts = names.value if names is not None and isinstance(names.value, list) else []
    fields = [
        Field(f.key, f.value)
        for f in entry.fields
        if f.key in _TEXT_FIELDS and isinstance(f.value, str)
    ]
    fields += [Field(f"author.{i}", part) for i, part in enumerate(parts)]
    decoded = LatexDecodingMiddleware().transform_entry(
        BibEntry(entry.entry_type, entry.key, fields), library
    )
    if not isinstance(decoded, BibEntry):
        return None
    values = {f.key: f.value for f in decoded.fields}
    text = {
        k: " ".join(v.replace("\u00a0", " ").split())
        for k, v in values.items()
        if isinstance(v, str)
    }
    people = [values[f"author.{i}"] for i in range(len(parts))]
    return text, people


def incoming_from_bibtex(text: str, origin: str, venues: Mapping[str, Venue]) -> list[Incoming]:
    """One `Incoming` per entry of a BibTeX file; unreadable blocks become refused entries."""
    library = parse_string(
        text, append_middleware=[NormalizeFieldKeys(), SeparateCoAuthors(), SplitNameParts()]
    )
    found: list[Incoming] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        reason = str(getattr(block, "error", "")) or "unreadable entry"
        code = "duplicate-key" if "Duplicate" in type(block).__name__ else "bibtex-syntax"
        message = (
            f"entry key {getattr(block, 'key', '?')!r} appears twice; the second is skipped"
            if code == "duplicate-key"
            else f"cannot read this block: {reason.splitlines()[0] if reason else 'syntax error'}"
        )
        problem = Problem(code, origin, message, line)
        found.append(Incoming(origin, "?", line, None, (), None, None, notes=(problem,)))
    for entry in library.entries:
        found.append(_from_entry(entry, library, origin, venues))
    return sorted(found, key=lambda item: item.line)


def _from_entry(
    entry: BibEntry, library: Library, origin: str, venues: Mapping[str, Venue]
) -> Incoming:
    line = (entry.start_line or 0) + 1
    raw = {f.key: f.value for f in entry.fields if isinstance(f.value, str)}
    notes: list[Problem] = []

    def note(code: str, message: str, hint: str | None = None, error: bool = True) -> None:
        problem = Problem(code, origin, message, line, hint=hint)
        notes.append(problem if error else problem.as_warning())

    decoded = _decode(entry, library)
    if decoded is None:
        note("bibtex-latex", f"entry {entry.key!r}: its LaTeX could not be decoded")
        return Incoming(origin, entry.key, line, None, (), None, None, notes=tuple(notes))
    text, people = decoded
    authors = [person_name(p) for p in people]
    if "others" in authors:
        authors = [a for a in authors if a != "others"]
        note(
            "truncated-authors",
            f"entry {entry.key!r} ends its authors with 'and others'",
            "list every author in the record, as the paper does",
            error=False,
        )
    title = text.get("title")
    year = _year(text)
    for name, value in (("title", title), ("author", authors), ("year", year)):
        if not value:
            note("missing-field", f"entry {entry.key!r} has no {name}")
    arxiv = arxiv_in_fields({**raw, **{k: v for k, v in raw.items() if k in _RAW_FIELDS}})
    doi = _doi(raw.get("doi"), note)
    venue_text = text.get("booktitle") or text.get("journal") or ""
    preprint = bool(arxiv) and not venue_text
    venue = map_venue(venue_text, venues, preprint)
    if venue is None:
        shown = venue_text or f"@{entry.entry_type}"
        note(
            "unknown-venue",
            f"entry {entry.key!r}: venue {shown!r} is not in taxonomy/venues.yaml; left empty",
            venue_hint(venue_text, venues) if venue_text else "set venue in the record",
            error=False,
        )
    url = _literal(raw.get("url", "")) or None
    if url and not _URL.match(url):
        note("bad-url", f"entry {entry.key!r}: url {url!r} is not http(s); left out", error=False)
        url = None
    url = url or (f"https://doi.org/{doi}" if doi else None)
    url = url or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None)
    return Incoming(
        origin,
        entry.key,
        line,
        title,
        tuple(authors),
        year,
        venue,
        venue_text,
        arxiv,
        doi,
        url,
        tuple(notes),
    )


def _doi(value: str | None, note: Callable[..., None]) -> str | None:
    if not value:
        return None
    doi = _literal(value).split("doi.org/", 1)[-1].strip()
    if ARXIV_DOI.match(doi):
        return None
    if not _DOI.match(doi):
        note("bad-doi", f"doi {doi!r} is not a DOI; left out", error=False)
        return None
    return doi


# --- arXiv --------------------------------------------------------------------------------


def incoming_from_arxiv(record: ArxivRecord) -> Incoming:
    """The paper arXiv describes, as its preprint (venue arxiv, year of the first version)."""
    notes: list[Problem] = []
    if record.journal_ref:
        notes.append(
            Problem(
                "published-elsewhere",
                f"arXiv:{record.arxiv}",
                f"arXiv says it appeared in: {record.journal_ref}",
                hint="cite the published version: kb add --bibtex its entry with --merge",
                severity="warning",
            )
        )
    return Incoming(
        origin=f"arXiv:{record.arxiv}",
        key=record.arxiv,
        line=1,
        title=record.title,
        authors=record.authors,
        year=record.published.year,
        venue="arxiv",
        venue_text="arXiv",
        arxiv=record.arxiv,
        doi=record.doi if record.doi and _DOI.match(record.doi) else None,
        url=record.abs_url,
        notes=tuple(notes),
    )
