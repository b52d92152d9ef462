"""A JSON Schema (2020-12) of a paper record, with enums from the vocabularies, for editors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from kb.core.records import paper_model
from kb.core.taxonomy import Taxonomy

__all__ = ["SCHEMA_DIALECT", "json_schema", "record_schema"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(model: type[BaseModel], name: str, title: str, description: str) -> dict[str, Any]:
    """A 2020-12 JSON Schema of `model`, with our `$id`, title and description on top."""
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://mllm-xai-kb.invalid/schema/{name}.json",
        "title": title,
        "description": description,
        **{key: value for key, value in schema.items() if key != "title"},
    }


def record_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """The JSON Schema of a record under `taxonomy`."""
    schema = json_schema(
        paper_model(taxonomy),
        "record",
        "mllm-xai-kb paper record",
        "One paper of the knowledge base: papers/<id>.yaml.",
    )
    return _evidence_enums(schema, taxonomy)


def _evidence_enums(schema: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """Property, benchmark and model ids as enums, for editors (`kb validate` checks them too,
    with did-you-mean hints, in kb.core.evidence)."""
    result = schema.get("$defs", {}).get("Result", {}).get("properties", {})
    for field, ids in (("benchmark", taxonomy.benchmarks), ("model", taxonomy.models)):
        if field in result:
            result[field] = {**result[field], "enum": list(ids)}
    answers = schema["properties"].get("properties")
    if answers is not None:
        answers["propertyNames"] = {"enum": list(taxonomy.properties)}
    return schema
