"""Constrained field types shared by records and vocabularies, with stable error codes."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from kb.core.ids import ID_PATTERN

__all__ = [
    "ARXIV_NEW",
    "ARXIV_OLD",
    "ArxivId",
    "Doi",
    "RecordId",
    "Text",
    "Url",
    "VocabId",
    "Year",
]

ARXIV_NEW = re.compile(r"^(\d{2})(0[1-9]|1[0-2])\.\d{4,5}$")
ARXIV_OLD = re.compile(r"^[a-z]+(-[a-z]+)*(\.[A-Z]{2})?/\d{7}$")
_VERSION = re.compile(r"v\d+$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_VOCAB_ID = re.compile(r"^[a-z0-9]+([.-][a-z0-9]+)*$")
FIRST_YEAR = 1950


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty-value", "must not be empty")
    if value != value.strip():
        raise PydanticCustomError("stray-whitespace", "leading or trailing white space")
    return value


def _record_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise PydanticCustomError(
            "bad-id",
            "'{value}' is not a Scholar-style id (lowercase ASCII letters and digits, "
            "starting with a letter, e.g. huo2024mmneuron)",
            {"value": value},
        )
    return value


def _vocab_id(value: str) -> str:
    if not _VOCAB_ID.match(value):
        raise PydanticCustomError(
            "bad-id",
            "'{value}' is not a vocabulary id (lowercase letters, digits, '-' and '.')",
            {"value": value},
        )
    return value


def _arxiv(value: str) -> str:
    if _VERSION.search(value) and (ARXIV_NEW.match(value[: value.rfind("v")])):
        raise PydanticCustomError(
            "bad-arxiv",
            "arXiv id '{value}' carries a version; records name the paper, not a version",
            {"value": value},
        )
    if not (ARXIV_NEW.match(value) or ARXIV_OLD.match(value)):
        raise PydanticCustomError(
            "bad-arxiv",
            "'{value}' is not an arXiv id (new form 2406.11193, old form hep-th/9901001)",
            {"value": value},
        )
    return value


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise PydanticCustomError(
            "bad-url", "'{value}' is not an http(s) URL", {"value": value[:200]}
        )
    return value


def _doi(value: str) -> str:
    if not _DOI.match(value):
        raise PydanticCustomError(
            "bad-doi",
            "'{value}' is not a DOI (10.<registrant>/<suffix>, without https://doi.org/)",
            {"value": value[:200]},
        )
    return value


def _year(value: int) -> int:
    last = date.today().year + 1
    if not FIRST_YEAR <= value <= last:
        raise PydanticCustomError(
            "bad-year",
            "{value} is outside {first}..{last}",
            {"value": value, "first": FIRST_YEAR, "last": last},
        )
    return value


def _pattern(regex: str) -> Any:
    """JSON Schema hint for editors; the validator above stays the judge (and the error code)."""
    return Field(json_schema_extra={"pattern": regex})


Text = Annotated[
    str, StringConstraints(max_length=10_000), AfterValidator(_text), _pattern(r"^\S(.*\S)?$")
]
RecordId = Annotated[
    str, StringConstraints(max_length=64), AfterValidator(_record_id), _pattern(ID_PATTERN.pattern)
]
VocabId = Annotated[
    str, StringConstraints(max_length=64), AfterValidator(_vocab_id), _pattern(_VOCAB_ID.pattern)
]
ArxivId = Annotated[
    str,
    StringConstraints(max_length=32),
    AfterValidator(_arxiv),
    _pattern(f"{ARXIV_NEW.pattern}|{ARXIV_OLD.pattern}"),
]
Url = Annotated[
    str, StringConstraints(max_length=2_000), AfterValidator(_url), _pattern(r"^https?://\S+$")
]
Doi = Annotated[
    str, StringConstraints(max_length=300), AfterValidator(_doi), _pattern(_DOI.pattern)
]
Year = Annotated[
    int,
    AfterValidator(_year),
    Field(json_schema_extra={"minimum": FIRST_YEAR, "maximum": date.today().year + 1}),
]
