"""Hypothesis strategies for valid records under the fixture taxonomy."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from kb.core.load import _FORBIDDEN_CHARS

LEAVES = ["data.input-output", "data.benchmark", "model.neuron", "model.layer"]
METHODS = ["logit-lens", "tuned-lens", "perturbation", "hallucination-benchmark"]
MODALITIES = ["image", "text", "video"]
MODELS = ["llava", "blip-2"]
VENUES = ["arxiv", "neurips", "tmlr"]


def _clean(text: str) -> str:
    return _FORBIDDEN_CHARS.sub("", text).strip()


# Any printable text, including YAML and markup syntax, quotes, emoji and RTL letters.
# NOTE: no unassigned code points (Cn): among them the noncharacters U+FFFE and U+FFFF, which
# YAML cannot carry (kb.load rejects them as control characters).
text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp"), max_codepoint=0x1FFFF
        )
        | st.sampled_from(list(":#-[]{}&*!|>'\"%@`,? \\^~_$<>")),
        min_size=1,
        max_size=120,
    )
    .map(_clean)
    .filter(bool)
)
record_id = st.from_regex(r"[a-z][a-z0-9]{0,20}", fullmatch=True)
url = st.from_regex(r"https?://[a-z]{1,10}\.org/[A-Za-z0-9_./-]{0,20}", fullmatch=True)


def _unique(
    strategy: st.SearchStrategy[Any], min_size: int = 1
) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(strategy, min_size=min_size, max_size=4, unique=True).map(tuple)


# Property answers in both forms (a bare value, or a mapping with `where`), results with whole
# and fractional numbers, and relations: the comparable evidence under the fixture vocabularies.
number = st.integers(0, 100) | st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 3))
answer = st.sampled_from([True, False, "partial"])
answers = st.fixed_dictionaries(
    {},
    optional={
        "training-free": answer | st.fixed_dictionaries({"value": answer, "where": text}),
        "compute-cost": st.sampled_from(["low", "high"]),
    },
)
result = st.fixed_dictionaries(
    {
        "benchmark": st.just("fixture-bench"),
        "metric": st.sampled_from(["accuracy", "errors"]),
        "model": st.sampled_from(MODELS),
        "value": number,
        "where": text,
    },
    optional={"setting": text.map(lambda s: s[:80].strip()).filter(bool), "baseline": number},
)
relation = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["extends", "improves-on", "compares-with", "contradicts"]),
        "target": record_id,
        "note": text,
    }
)

records = st.fixed_dictionaries(
    {
        "id": record_id,
        "title": text,
        "authors": _unique(text),
        "year": st.integers(1950, date.today().year),
        "venue": st.sampled_from(VENUES),
        "kind": st.sampled_from(["research", "survey", "foundation"]),
        "taxonomy": _unique(st.sampled_from(LEAVES)),
        "methods": _unique(st.sampled_from(METHODS)),
        "modalities": _unique(st.sampled_from(MODALITIES)),
        "summary": text,
        "findings": st.lists(
            st.fixed_dictionaries({"text": text}, optional={"where": text}), min_size=1, max_size=3
        ).map(tuple),
        "strengths": st.lists(text, min_size=1, max_size=3).map(tuple),
        "limitations": st.lists(text, min_size=1, max_size=3).map(tuple),
        "sources": _unique(url),
    },
    optional={
        "arxiv": st.from_regex(r"[0-9]{2}(0[1-9]|1[0-2])\.[0-9]{5}", fullmatch=True),
        "doi": st.from_regex(r"10\.[0-9]{4,6}/[A-Za-z0-9.()_-]{1,20}", fullmatch=True),
        "code": url,
        "models": _unique(st.sampled_from(MODELS), min_size=0),
        "cites": _unique(record_id, min_size=0),
        "tldr": text,
        "properties": answers,
        "results": st.lists(result, max_size=3).map(tuple),
        "relations": st.lists(relation, max_size=2).map(tuple),
        "added": st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    },
)
