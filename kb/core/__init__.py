"""The core pipeline: records and vocabularies loaded, validated and checked, nothing more.

`load` (YAML with positions) -> `validate` (pydantic models built from the vocabularies) ->
`checks` (knowledge-base-wide), chained with the validation cache in `pipeline`; beside them
the shared primitives (`problems`, `fields`, `ids`, `write`, `memory`) and the record's canonical
form (`fmt`) and JSON Schema (`schema`). Imports nothing else from `kb`.
"""
