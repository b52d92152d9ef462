"""The arXiv API: one query by id, and a parser of the Atom feed it answers with.

`kb add --arxiv ID` is the only command that uses the network, and `fetch` is the only function
that does: everything else here takes and returns values, so tests run the parser on recorded
responses and replace `fetch`. The feed is parsed with the standard library (`xml.etree`); a
response carrying a DOCTYPE is refused, since the API never sends one and entity expansion is
the usual way XML is turned against its reader.

The API answers in two dialects, both handled: the classic one (namespaces declared on each
element, `http://` links, hard-wrapped titles) and the 2025 one (namespaces on the root element,
`https://` links, one-line titles). A bad id comes back as HTTP 200 with one entry titled
``Error``; an unknown id as a feed with no entry (classic: an entry without an id).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kb.contrib.heads import normalise_arxiv
from kb.core.fields import ARXIV_NEW, ARXIV_OLD
from kb.core.problems import Problem

__all__ = [
    "API",
    "MAX_RESPONSE_BYTES",
    "ArxivRecord",
    "fetch",
    "lookup",
    "parse_feed",
    "query_url",
    "valid_id",
]

API = "https://export.arxiv.org/api/query"
MAX_RESPONSE_BYTES = 2_000_000
TIMEOUT_SECONDS = 30.0
USER_AGENT = "mllm-xai-kb (kb add --arxiv; https://github.com/mllm-xai-kb/mllm-xai-kb)"

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ENTRY_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?:v(?P<version>\d+))?$")


@dataclass(frozen=True)
class ArxivRecord:
    """The metadata arXiv holds for one paper (its latest version)."""

    arxiv: str
    version: int | None
    title: str
    authors: tuple[str, ...]
    published: date
    updated: date | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    primary_category: str | None = None

    @property
    def abs_url(self) -> str:
        """The abstract page, without a version: records name the paper."""
        return f"https://arxiv.org/abs/{self.arxiv}"


def valid_id(value: str) -> str | None:
    """The bare arXiv id in `value` (prefix, URL and version dropped), or None if it is none.

    New-style ids have four digits after the dot until 1412 and five from 1501 on.
    """
    bare = normalise_arxiv(value)
    if ARXIV_OLD.match(bare):
        return bare
    if not ARXIV_NEW.match(bare):
        return None
    five = bare[:4] >= "1501"
    return bare if len(bare.split(".")[1]) == (5 if five else 4) else None


def query_url(arxiv_id: str) -> str:
    """The API query for one id (the API returns the latest version)."""
    return f"{API}?id_list={arxiv_id}&max_results=1"


def fetch(url: str) -> bytes:
    """GET `url` and return at most `MAX_RESPONSE_BYTES` of its body (the one network call).

    Raises:
        OSError: no connection, a timeout or an HTTP error (urllib's errors are OSErrors).
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    return body


def _clean(text: str | None) -> str:
    """Collapse the hard wrapping the classic API puts in titles and names."""
    return " ".join((text or "").split())


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(_clean(text)[:10])
    except ValueError:
        return None


def _problem(code: str, wanted: str, message: str, hint: str | None = None) -> Problem:
    return Problem(code, f"arXiv:{wanted}", message, hint=hint)


def parse_feed(payload: bytes, wanted: str) -> ArxivRecord | Problem:
    """The record for `wanted` in an API response, or a Problem saying why there is none."""
    if len(payload) > MAX_RESPONSE_BYTES:
        return _problem("arxiv-response", wanted, "the arXiv response is unexpectedly large")
    if b"<!DOCTYPE" in payload[:4096].upper() or b"<!ENTITY" in payload.upper():
        return _problem("arxiv-response", wanted, "the arXiv response declares a DOCTYPE")
    try:
        feed = ET.fromstring(payload)
    except ET.ParseError as error:
        text = payload[:80].decode("utf-8", "replace").strip()
        return _problem(
            "arxiv-response",
            wanted,
            f"the arXiv response is not an Atom feed ({error}): {text!r}",
            "arXiv may be throttling requests; wait a minute and try again",
        )
    for entry in feed.iter(f"{_ATOM}entry"):
        record = _entry(entry, wanted)
        if record is not None:
            return record
    return _problem(
        "arxiv-not-found",
        wanted,
        f"arXiv has no paper {wanted}",
        "check the id on https://arxiv.org/abs/" + wanted,
    )


def _entry(entry: ET.Element, wanted: str) -> ArxivRecord | Problem | None:
    link = _clean(entry.findtext(f"{_ATOM}id"))
    if "/api/errors" in link:
        message = _clean(entry.findtext(f"{_ATOM}summary")) or "arXiv reported an error"
        return _problem("arxiv-error", wanted, f"arXiv answered: {message}")
    found = _ENTRY_ID.search(link)
    if found is None or found.group("id") != wanted:
        return None
    published = _day(entry.findtext(f"{_ATOM}published"))
    title = _clean(entry.findtext(f"{_ATOM}title"))
    authors = tuple(
        name
        for author in entry.findall(f"{_ATOM}author")
        if (name := _clean(author.findtext(f"{_ATOM}name")))
    )
    if published is None or not title or not authors:
        return _problem("arxiv-response", wanted, "the arXiv entry lacks a title, author or date")
    category = entry.find(f"{_ARXIV}primary_category")
    return ArxivRecord(
        arxiv=wanted,
        version=int(found.group("version")) if found.group("version") else None,
        title=title,
        authors=authors,
        published=published,
        updated=_day(entry.findtext(f"{_ATOM}updated")),
        doi=_clean(entry.findtext(f"{_ARXIV}doi")) or None,
        journal_ref=_clean(entry.findtext(f"{_ARXIV}journal_ref")) or None,
        comment=_clean(entry.findtext(f"{_ARXIV}comment")) or None,
        primary_category=(category.get("term") or None) if category is not None else None,
    )


def lookup(value: str, get: Callable[[str], bytes] | None = None) -> ArxivRecord | Problem:
    """Ask the arXiv API about `value` (an id, `arXiv:` id or abs URL); offline is a Problem.

    Args:
        value: what the person typed.
        get: the function that fetches a URL; `fetch` when None (tests pass a recording).
    """
    wanted = valid_id(value)
    if wanted is None:
        return Problem(
            "bad-arxiv",
            "--arxiv",
            f"{value!r} is not an arXiv id (new form 2406.11193, old form hep-th/9901001)",
        )
    reader = get or fetch
    try:
        payload = reader(query_url(wanted))
    except urllib.error.HTTPError as error:
        return _problem(
            "arxiv-offline",
            wanted,
            f"export.arxiv.org answered HTTP {error.code}",
            "wait a minute and try again; kb add --bibtex works offline",
        )
    except (OSError, TimeoutError) as error:
        reason = getattr(error, "reason", None) or error
        return _problem(
            "arxiv-offline",
            wanted,
            f"cannot reach export.arxiv.org ({reason}); kb add --arxiv needs the network",
            "connect and try again, or work offline with kb add --bibtex FILE or kb new",
        )
    return parse_feed(payload, wanted)
