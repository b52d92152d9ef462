"""The JSON Schema accepts every real record and rejects the bad fixtures it can see."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from kb.core.load import LoadError, parse_text
from kb.core.pipeline import load_knowledge_base
from kb.core.schema import record_schema
from tests.conftest import FIXTURE_KB, REPO
from tests.error_cases import CASES


def _json_ready(value: object) -> object:
    if isinstance(value, tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _validator(root: Path) -> jsonschema.Draft202012Validator:
    schema = record_schema(load_knowledge_base(root).kb.taxonomy)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_schema_accepts_every_record_in_papers() -> None:
    validator = _validator(REPO)
    paths = sorted((REPO / "papers").glob("*.yaml"))
    for path in paths:
        data = _json_ready(parse_text(path.read_text(), path.name).data)
        assert not list(validator.iter_errors(data)), path.name


SCHEMA_VISIBLE = [
    name
    for name, case in CASES.items()
    if case.path.startswith("papers/")
    and case.code
    in {
        "missing-field",
        "unknown-field",
        "wrong-type",
        "empty-value",
        "bad-id",
        "bad-arxiv",
        "bad-year",
        "bad-url",
        "bad-doi",
        "unknown-leaf",
        "unknown-method",
        "unknown-modality",
        "unknown-model",
        "unknown-venue",
        "bad-value",
        "too-long",
        "not-a-mapping",
        "stray-whitespace",
    }
]


@pytest.mark.parametrize("name", SCHEMA_VISIBLE)
def test_the_schema_rejects_bad_fixtures(name: str) -> None:
    validator = _validator(FIXTURE_KB)
    try:
        data = parse_text(CASES[name].content.decode(), "x.yaml").data
    except LoadError:
        pytest.fail("schema cases must parse")
    assert list(validator.iter_errors(_json_ready(data)))
