"""Scholar-style record ids: family name + year + first significant title word."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

__all__ = ["ID_PATTERN", "STOPWORDS", "ascii_fold", "family_name", "scholar_id", "unique_id"]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*$")

# NOTE: Google Scholar skips leading articles, prepositions and question words when it picks
# the title word of a key; we follow it so that keys match what researchers already use.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "towards",
        "toward",
        "with",
        "and",
        "or",
        "via",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "do",
        "does",
        "can",
        "what",
        "when",
        "why",
        "how",
        "where",
        "which",
        "who",
        "whose",
    ]
)


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits of `text`, accents removed (Laurençon -> laurencon)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


def family_name(author: str) -> str:
    """The family name of an author written `Given Family` or `Family, Given`."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    parts = author.split()
    return parts[-1] if parts else ""


def _first_significant_word(title: str) -> str:
    for word in re.split(r"[\s\-:/]+", title):
        folded = ascii_fold(word)
        if folded and folded not in STOPWORDS and not folded.isdigit():
            return folded
    return ""


def scholar_id(first_author: str, year: int, title: str) -> str:
    """The base key: ``scholar_id("Jiahao Huo", 2024, "MMNeuron: ...") == "huo2024mmneuron"``."""
    return (
        f"{ascii_fold(family_name(first_author)) or 'anon'}{year}{_first_significant_word(title)}"
    )


def unique_id(base: str, taken: Collection[str]) -> str:
    """`base`, or `base` plus the first free suffix letter (b, c, ...) when it is taken."""
    if base not in taken:
        return base
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if base + letter not in taken:
            return base + letter
    raise ValueError(f"no free suffix letter for id {base!r}")
