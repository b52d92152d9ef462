"""Escaping for the two languages a docs page mixes: Markdown and the HTML inside it.

Every string that comes from `papers/` or `taxonomy/` is untrusted. It reaches a page only
through these functions, so a record titled `<img src=x onerror=alert(1)>` shows that text
and runs nothing, and a summary starting with `1.` or `#` stays a sentence.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote, urlsplit

from markupsafe import Markup

__all__ = ["display_name", "front_matter_string", "html_text", "md_text", "safe_url", "squash"]

# NOTE: Python-Markdown leaves character references alone, so replacing every ASCII punctuation
# mark that has a meaning in Markdown by one makes the text inert in any position (line start,
# table cell, heading) while the rendered page shows the same characters. One translation table
# does it together with HTML escaping, so no reference is escaped twice.
_MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|~:>"
_MARKDOWN = str.maketrans(
    {
        **{ch: f"&#{ord(ch)};" for ch in _MARKDOWN_SPECIAL},
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#39;",
    }
)
_WHITESPACE = re.compile(r"\s+")
# NOTE: `\s` on str patterns is exactly `str.isspace` (Unicode white space included).
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def squash(text: str) -> str:
    """`text` with every run of white space (newlines too) made one space.

    Folded YAML keeps line breaks inside some values; in Markdown an indented line or a blank
    line would change the structure of the page, so page text is always one line.
    """
    return _WHITESPACE.sub(" ", text).strip()


def html_text(text: str) -> Markup:
    """`text` escaped for HTML element content and attribute values (quotes included)."""
    return Markup(html.escape(squash(text), quote=True))


def md_text(text: str) -> Markup:
    """`text` escaped for a Markdown block (heading, paragraph, table cell) and for HTML.

    >>> str(md_text("1. <b>*x*</b>"))
    '1&#46; &lt;b&gt;&#42;x&#42;&lt;/b&gt;'
    """
    return Markup(squash(text).translate(_MARKDOWN))


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL without white space, else None.

    Only such URLs become links: `javascript:`, `data:` and relative URLs stay text. Characters
    that an attribute or a URL must not carry raw are percent-encoded; the result still needs
    HTML attribute escaping (`&`).
    """
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if _SPACE_OR_CONTROL.search(url):
        return None
    return quote(url, safe="/:?#[]@!$&'()*+,;=%-._~")


def front_matter_string(text: str) -> str:
    """`text` as a YAML scalar for page front matter, already HTML-escaped.

    MkDocs themes insert `page.title` into the page without escaping it, so the title handed
    to them is HTML; JSON string syntax is valid YAML and quotes everything else.
    """
    return json.dumps(str(html_text(text)), ensure_ascii=False)


def display_name(author: str) -> str:
    """An author as readers write the name: "Rott Shaham, Tamar" -> "Tamar Rott Shaham",
    "King, Jr., Martin Luther" -> "Martin Luther King Jr.", "Jiaqi Xu" unchanged.

    Records may write a name "Last, First" (BibTeX's form, which keeps particles and multi-word
    family names apart); pages show every name in one order.
    """
    parts = [part.strip() for part in author.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return author
