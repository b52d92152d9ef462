"""A JSON Schema (2020-12) of a paper record, with enums from the vocabularies, for editors."""

from __future__ import annotations

from typing import Any

from kb.records import paper_model
from kb.taxonomy import Taxonomy

__all__ = ["SCHEMA_DIALECT", "record_schema"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """The JSON Schema of a record under `taxonomy`."""
    schema = paper_model(taxonomy).model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://mllm-xai-kb.invalid/schema/record.json",
        "title": "mllm-xai-kb paper record",
        "description": "One paper of the knowledge base: papers/<id>.yaml.",
        **{key: value for key, value in schema.items() if key != "title"},
    }
