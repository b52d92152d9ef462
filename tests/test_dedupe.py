"""`kb dedupe`: duplicates planted in the real knowledge base are found, and nothing else."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from kb.cli import main
from kb.dedupe import (
    TITLE_SCORE,
    Entry,
    Index,
    _canonical_head,
    entry_from_data,
    entry_from_text,
    find_duplicates,
    normalise_arxiv,
    normalise_doi,
    normalise_title,
    record_head,
)
from kb.fmt import format_paper
from kb.load import parse_text
from kb.pipeline import load_knowledge_base
from kb.records import paper_model
from tests.conftest import FIXTURE_KB, REPO
from tests.strategies import records


@pytest.fixture
def real_kb(tmp_path: Path) -> Path:
    """A writable copy of the repository's knowledge base."""
    root = tmp_path / "kb"
    shutil.copytree(REPO / "taxonomy", root / "taxonomy")
    shutil.copytree(REPO / "papers", root / "papers")
    return root


def _dedupe(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "dedupe"])
    return result.exit_code, result.output


def test_the_repository_has_no_duplicates() -> None:
    code, output = _dedupe(REPO)
    assert code == 0, output
    assert output.startswith("ok: no duplicates among ")


def test_a_planted_preprint_copy_is_found_with_its_file_paths(real_kb: Path) -> None:
    original = (real_kb / "papers" / "liu2023visual.yaml").read_text()
    planted = (
        original.replace("id: liu2023visual\n", "id: liu2023visualb\n")
        .replace("title: Visual Instruction Tuning\n", "title: Visual instruction tuning\n")
        .replace("venue: neurips\n", "venue: arxiv\n")
        .replace('arxiv: "2304.08485"\n', "")
    )
    (real_kb / "papers" / "liu2023visualb.yaml").write_text(planted)
    code, output = _dedupe(real_kb)
    assert code == 1
    assert output == (
        "possible duplicates (2 records):\n"
        "  papers/liu2023visual.yaml   Visual Instruction Tuning (neurips 2023)\n"
        "  papers/liu2023visualb.yaml  Visual instruction tuning (arxiv 2023)\n"
        "  because: near-identical titles, score 100: liu2023visual, liu2023visualb\n"
        "1 group(s) of possible duplicates: keep one record per paper (kb add --merge helps), "
        "under the oldest id\n"
    )


def test_a_planted_doi_and_a_retitled_published_version_are_found(real_kb: Path) -> None:
    papers = real_kb / "papers"
    benova = (papers / "benova2025beyond.yaml").read_text()
    (papers / "benova2025beyondb.yaml").write_text(
        benova.replace("id: benova2025beyond\n", "id: benova2025beyondb\n")
        .replace('arxiv: "2401.16575"\n', "")
        .replace("  Beyond Image-Text Matching: Verb", "  Verb")
    )
    darcet = (papers / "darcet2024vision.yaml").read_text()
    (papers / "darcet2023vision.yaml").write_text(
        darcet.replace("id: darcet2024vision\n", "id: darcet2023vision\n")
        .replace(
            "title: Vision Transformers Need Registers\n",
            "title: Vision Transformers Need Register Tokens\n",
        )
        .replace("year: 2024\n", "year: 2023\n")
        .replace("venue: iclr\n", "venue: arxiv\n")
        .replace('arxiv: "2309.16588"\n', "")
    )
    code, output = _dedupe(real_kb)
    assert code == 1
    assert (
        "  because: same DOI 10.1007/978-3-031-82670-2_7: benova2025beyond, benova2025beyondb\n"
        in output
    )
    assert (
        "  because: preprint and published version (same first author), title score 91.9: "
        "darcet2023vision, darcet2024vision\n"
    ) in output
    assert output.endswith(
        "2 group(s) of possible duplicates: keep one record per paper "
        "(kb add --merge helps), under the oldest id\n"
    )


def _entry(path: str, title: str, **fields: object) -> Entry:
    return entry_from_data({"title": title, **fields}, path)


def test_every_kind_of_evidence_links_records() -> None:
    entries = [
        _entry("papers/a.yaml", "One", arxiv="2304.08485v2"),
        _entry("papers/b.yaml", "Two", arxiv="arXiv:2304.08485"),
        _entry("papers/c.yaml", "Three", doi="10.1/ABC"),
        _entry("papers/d.yaml", "Four", doi="https://doi.org/10.1/abc"),
        _entry("papers/e.yaml", "Five", id="e"),
        _entry("papers/f.yaml", "Six", aliases=("e",)),
        _entry("papers/g.yaml", "Mitigating Object Hallucination in Large Vision Models"),
        _entry("papers/h.yaml", "Mitigating Object Hallucinations in Large Vision-Models"),
    ]
    groups = find_duplicates(entries)
    assert [[e.path[7] for e in g.entries] for g in groups] == [
        ["a", "b"],
        ["c", "d"],
        ["e", "f"],
        ["g", "h"],
    ]
    assert groups[0].links == ("same arXiv id 2304.08485: a, b",)
    assert groups[1].links == ("same DOI 10.1/abc: c, d",)
    assert groups[2].links == ("same id e: e, f",)
    assert groups[3].links[0].startswith("near-identical titles, score 9")


def test_different_papers_with_similar_titles_are_not_duplicates() -> None:
    entries = [
        _entry(
            "papers/a.yaml",
            "Visual Instruction Tuning",
            venue="neurips",
            year=2023,
            authors=("Haotian Liu",),
        ),
        _entry(
            "papers/b.yaml",
            "Improved Baselines with Visual Instruction Tuning",
            venue="arxiv",
            year=2023,
            authors=("Haotian Liu",),
        ),
        _entry(
            "papers/c.yaml",
            "Mitigating Hallucinations in Large Vision-Language Models "
            "with Instruction Contrastive Decoding",
        ),
        _entry(
            "papers/d.yaml",
            "Mitigating Object Hallucinations in Large Vision-Language "
            "Models through Visual Contrastive Decoding",
        ),
    ]
    assert find_duplicates(entries) == []


def test_blocking_finds_every_pair_that_differs_in_up_to_two_words() -> None:
    """Against all pairs: among 3,000 titles, each near-identical variant is found."""
    rng = random.Random(8)
    vocabulary = [
        f"{w}{n}" for w in ("model", "vision", "token", "layer", "probe") for n in range(300)
    ]
    common = ["of", "the", "in", "language", "models", "large", "for"]
    titles = []
    for _ in range(3000):
        words = rng.choices(common, k=3) + rng.choices(vocabulary, k=rng.randint(3, 9))
        rng.shuffle(words)
        titles.append(" ".join(words))
    variants = []
    for index in rng.sample(range(3000), 60):
        words = titles[index].split()
        for _ in range(rng.randint(1, 2)):
            words[rng.randrange(len(words))] += "s"
        variants.append((index, " ".join(words)))
    entries = [_entry(f"papers/t{i:05d}.yaml", t) for i, t in enumerate(titles)]
    entries += [_entry(f"papers/v{i:05d}.yaml", t) for i, (_, t) in enumerate(variants)]
    together = {frozenset(e.path for e in g.entries) for g in find_duplicates(entries)}
    for number, (index, title) in enumerate(variants):
        if fuzz.ratio(normalise_title(titles[index]), normalise_title(title)) >= TITLE_SCORE:
            pair = {f"papers/t{index:05d}.yaml", f"papers/v{number:05d}.yaml"}
            assert any(pair <= group for group in together), title


def test_the_index_answers_kb_add_with_the_strongest_evidence() -> None:
    index = Index.of(
        [
            _entry(
                "papers/liu2023visual.yaml",
                "Visual Instruction Tuning",
                id="liu2023visual",
                arxiv="2304.08485",
                venue="neurips",
                year=2023,
                authors=("Haotian Liu",),
            ),
        ]
    )
    by_arxiv = index.match(_entry("x", "Something else", arxiv="2304.08485v1"))
    assert by_arxiv is not None and by_arxiv.describe() == "same arXiv id 2304.08485"
    by_title = index.match(_entry("x", "Visual instruction tuning."))
    assert by_title is not None and by_title.describe() == "near-identical title, score 100.0"
    assert index.match(_entry("x", "Improved Baselines with Visual Instruction Tuning")) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Vision-Language Models?", "vision language models"),
        ("Beyond  Image\u2013Text Matching", "beyond image text matching"),
        (
            "What matters when building vision-language models?",
            "what matters when building vision language models",
        ),
        ("Lauren\u00e7on\u2019s {LLaVA}", "laurencon s llava"),
    ],
)
def test_titles_are_normalised_to_plain_words(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_identifiers_are_normalised() -> None:
    assert normalise_arxiv("arXiv:2304.08485v3") == "2304.08485"
    assert normalise_arxiv("https://arxiv.org/pdf/2304.08485v1.pdf") == "2304.08485"
    assert normalise_arxiv("hep-th/9901001v2") == "hep-th/9901001"
    assert normalise_doi("https://doi.org/10.1007/ABC") == "10.1007/abc"


_MODEL = paper_model(load_knowledge_base(FIXTURE_KB).kb.taxonomy)


def _by_yaml(text: str, path: str) -> Entry | None:
    try:
        data = yaml.load(record_head(text), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    return entry_from_data(data, path) if isinstance(data, dict) else None


@settings(max_examples=300, deadline=None)
@given(records)
def test_the_fast_reader_agrees_with_yaml_on_any_canonical_record(data: dict[str, Any]) -> None:
    text = format_paper(_MODEL.model_validate(data))
    assert entry_from_text(text, "papers/x.yaml") == entry_from_data(
        parse_text(text, "x.yaml").data, "papers/x.yaml"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("id:titleauthorsarxivdoi -[]{}\"#>\n'")), max_size=200)
)
def test_the_fast_reader_agrees_with_yaml_on_arbitrary_text(text: str) -> None:
    """Whatever the text, the fast reader either declines or reads what YAML reads."""
    fast = _canonical_head(text)
    expected = _by_yaml(text, "papers/x.yaml")
    if fast is not None and expected is not None:
        assert entry_from_data(fast, "papers/x.yaml") == expected


def test_the_fast_reader_agrees_with_yaml_on_every_real_record() -> None:
    for path in sorted((REPO / "papers").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        display = f"papers/{path.name}"
        assert entry_from_text(text, display) == _by_yaml(text, display), path.name
