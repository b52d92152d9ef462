"""Coverage-guided fuzzing of the YAML-to-record path with atheris (not part of the test run).

    pip install atheris && PYTHONPATH=. python tests/hostile/fuzz_atheris.py -max_total_time=600

The scheduled workflow .github/workflows/fuzz.yml runs it for a bounded time. Any exception
other than a located LoadError, or a record that does not survive the fmt round trip, is a
crash that atheris reports with the input that caused it.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from kb.core.fmt import format_paper
    from kb.core.load import LoadError, parse_bytes
    from kb.core.pipeline import load_knowledge_base
    from kb.core.records import paper_model
    from kb.core.validate import validate_paper
    from tests.conftest import FIXTURE_KB

TAXONOMY = load_knowledge_base(FIXTURE_KB).kb.taxonomy
MODEL = paper_model(TAXONOMY)


def one_input(data: bytes) -> None:
    try:
        doc = parse_bytes(data, "papers/doe2024probing.yaml")
    except LoadError as error:
        assert error.problem.line >= 1 and error.problem.code
        return
    paper, problems = validate_paper(doc, MODEL, TAXONOMY)
    if paper is None:
        assert problems
        return
    again = parse_bytes(format_paper(paper).encode(), "papers/doe2024probing.yaml")
    assert MODEL.model_validate(again.data).model_dump() == paper.model_dump()


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
