"""BibTeX export and the LaTeX escaping under it: golden files, hand-checked cases, round trips."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli.app import main
from kb.core.pipeline import load_knowledge_base
from kb.core.records import Paper
from kb.core.validate import KnowledgeBase
from kb.export.bibtex import bibtex_entry, bibtex_library, bibtex_name, bibtex_title, entry_fields
from kb.export.latex import ASCII_RANGES, SPECIALS, latex_char, latex_escape, latex_unescape
from tests.conftest import FIXTURES, REPO, assert_golden
from tests.strategies import text

EXPORT_KB = FIXTURES / "export"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    result = load_knowledge_base(EXPORT_KB)
    assert not result.errors()
    return result.kb


def _fields(bib: str) -> list[dict[str, str]]:
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks
    return [
        {"ID": e.key, "ENTRYTYPE": e.entry_type, **{f.key: f.value for f in e.fields}}
        for e in library.entries
    ]


def _split_authors(value: str) -> list[str]:
    """Split a BibTeX author list on ' and ' outside braces, as BibTeX does."""
    names, depth, start, index = [], 0, 0, 0
    while index < len(value):
        char = value[index]
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and value[index : index + 5].lower() == " and ":
            names.append(value[start:index])
            index += 5
            start = index
            continue
        index += 1
    names.append(value[start:])
    return names


# --- golden files and hand-checked entries ---------------------------------------------------


def test_the_fixture_library_matches_its_golden_file(kb: KnowledgeBase) -> None:
    assert_golden("export/fixture.bib", bibtex_library(kb.papers.values(), kb.taxonomy))


def test_the_ascii_library_matches_its_golden_file_and_is_pure_ascii(kb: KnowledgeBase) -> None:
    text = bibtex_library(kb.papers.values(), kb.taxonomy, ascii=True)
    assert text.isascii()
    assert_golden("export/fixture-ascii.bib", text)


def test_a_conference_paper_is_inproceedings_with_the_full_booktitle_and_its_eprint(
    kb: KnowledgeBase,
) -> None:
    entry = _fields(bibtex_entry(kb.papers["doe2024probing"], kb.taxonomy))[0]
    assert entry == {
        "ID": "doe2024probing",
        "ENTRYTYPE": "inproceedings",
        "author": "Doe, Jane and van der Berg, Piet",
        "title": "Probing {Vision-Language} Layers: A Fixture",
        "booktitle": "Advances in Neural Information Processing Systems",
        "year": "2024",
        "eprint": "2406.00001",
        "archivePrefix": "arXiv",
        "doi": "10.48550/arXiv.2406.00001",
        "url": "https://arxiv.org/abs/2406.00001",
    }


def test_a_preprint_is_misc_as_arxiv_recommends_with_no_venue_and_no_primary_class(
    kb: KnowledgeBase,
) -> None:
    entry = _fields(bibtex_entry(kb.papers["belrose2023eliciting"], kb.taxonomy))[0]
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["eprint"] == "2303.08112"
    assert entry["archivePrefix"] == "arXiv"
    assert entry["url"] == "https://arxiv.org/abs/2303.08112"
    assert not {"howpublished", "journal", "booktitle", "primaryClass"} & entry.keys()


def test_a_journal_paper_is_an_article_and_a_workshop_paper_inproceedings(
    kb: KnowledgeBase,
) -> None:
    journal = _fields(bibtex_entry(kb.papers["muller2022clip"], kb.taxonomy))[0]
    workshop = _fields(bibtex_entry(kb.papers["lee2023measuring"], kb.taxonomy))[0]
    assert (journal["ENTRYTYPE"], journal["journal"]) == (
        "article",
        "Transactions on Machine Learning Research",
    )
    assert (workshop["ENTRYTYPE"], workshop["booktitle"]) == (
        "inproceedings",
        r"Proceedings of the Workshop on Explainable AI \& Vision",
    )


def test_online_material_is_misc_with_howpublished_and_its_url_kept_as_is(
    kb: KnowledgeBase,
) -> None:
    entry = _fields(bibtex_entry(kb.papers["smith2021notes"], kb.taxonomy))[0]
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["howpublished"] == "The Example Interpretability Blog"
    assert entry["url"] == "https://blog.example.org/perturbation_maps?x=1&y=2"
    assert "eprint" not in entry


def test_a_record_entry_type_wins_over_the_venue_kind(kb: KnowledgeBase) -> None:
    entry = _fields(bibtex_entry(kb.papers["kim2024tuned"], kb.taxonomy))[0]
    assert (entry["ENTRYTYPE"], entry["journal"]) == ("article", "arXiv preprint")


def test_old_keys_go_in_the_ids_field_and_only_with_aliases_become_entries(
    kb: KnowledgeBase,
) -> None:
    paper = kb.papers["muller2022clip"]
    plain = _fields(bibtex_library([paper], kb.taxonomy))
    assert [e["ID"] for e in plain] == ["muller2022clip"]
    assert plain[0]["ids"] == "mueller2022clip"
    doubled = _fields(bibtex_library([paper], kb.taxonomy, with_aliases=True))
    assert [e["ID"] for e in doubled] == ["muller2022clip", "mueller2022clip"]
    assert doubled[1]["note"] == "Old key of muller2022clip; cite muller2022clip instead"
    assert "ids" not in doubled[1]
    assert doubled[1]["title"] == doubled[0]["title"]


def test_titles_brace_acronyms_and_words_with_inner_capitals_or_digits() -> None:
    assert bibtex_title("LLaVA and CLIP see 3D scenes, not GPT-4V") == (
        "{LLaVA} and {CLIP} see {3D} scenes, not {GPT-4V}"
    )
    assert bibtex_title("Plain Title Case Words") == "Plain Title Case Words"


def test_special_characters_are_escaped_and_commands_neutralised() -> None:
    assert latex_escape(r"50% of #1 & $x_2^y$ ~ {a} \input{x}", ascii=False) == (
        r"50\% of \#1 \& \$x\_2\textasciicircum{}y\$ \textasciitilde{} "
        r"\textbraceleft{}a\textbraceright{} \textbackslash{}input\textbraceleft{}x"
        r"\textbraceright{}"
    )


def test_ascii_mode_turns_accents_into_latex_and_unknown_characters_into_code_points() -> None:
    assert latex_escape("Müller \u2013 Zoë ≤ ł 😀 中") == (
        r"M{\"u}ller {\textendash} Zo{\"e} {\ensuremath{\leq}} {\l} "
        r"\texttt{[U+1F600]} \texttt{[U+4E2D]}"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jiahao Huo", "Huo, Jiahao"),
        ("van der Berg, Piet", "van der Berg, Piet"),
        ("Jane van der Berg", "van der Berg, Jane"),
        ("Jean-Baptiste Alayrac", "Alayrac, Jean-Baptiste"),
        ("Jacob L Menick", "Menick, Jacob L"),
        ("OpenAI", "OpenAI"),
    ],
)
def test_authors_are_written_family_comma_given(name: str, expected: str) -> None:
    assert bibtex_name(name) == expected


def test_bibtex_itself_reads_the_family_and_given_names_we_meant(kb: KnowledgeBase) -> None:
    bib = bibtex_library(kb.papers.values(), kb.taxonomy)
    library = bibtexparser.parse_string(
        bib, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    authors = {e.key: e["author"] for e in library.entries}
    muller = [(" ".join(n.von + n.last), " ".join(n.first)) for n in authors["muller2022clip"]]
    assert muller == [
        ("Müller", "Jürgen"),
        ("López-Pérez", "Ana María"),
        ("van Dijk", "Zoë"),
    ]


# --- properties ------------------------------------------------------------------------------


def _record(kb: KnowledgeBase, **changes: object) -> Paper:
    return kb.papers["doe2024probing"].model_copy(update=changes)


@settings(max_examples=300, deadline=None)
@given(title=text, authors=st.lists(text, min_size=1, max_size=4, unique=True))
def test_any_title_and_authors_parse_back_to_the_same_values(
    kb: KnowledgeBase, title: str, authors: list[str]
) -> None:
    paper = _record(kb, title=title, authors=tuple(authors))
    entries = _fields(bibtex_entry(paper, kb.taxonomy))
    assert len(entries) == 1
    assert latex_unescape(entries[0]["title"]) == title
    parsed = [latex_unescape(name) for name in _split_authors(entries[0]["author"])]
    assert parsed == [bibtex_name(author) for author in authors]


@settings(max_examples=100, deadline=None)
@given(title=text, authors=st.lists(text, min_size=1, max_size=3, unique=True))
def test_any_record_text_gives_an_ascii_entry_that_parses(
    kb: KnowledgeBase, title: str, authors: list[str]
) -> None:
    paper = _record(kb, title=title, authors=tuple(authors))
    bib = bibtex_entry(paper, kb.taxonomy, ascii=True)
    assert bib.isascii()
    assert _fields(bib)[0]["ID"] == "doe2024probing"


_ALLOWED_MACROS = {
    re.sub(r"\\([A-Za-z]+).*", r"\1", value) for value in SPECIALS.values() if value[1].isalpha()
} | {"texttt"}
for _low, _high in ASCII_RANGES:
    for _code in range(_low, _high + 1):
        _ALLOWED_MACROS |= set(re.findall(r"\\([A-Za-z]+)", latex_char(chr(_code))))
_CONTROL = re.compile(r"\\([A-Za-z]+|.)")


@settings(max_examples=300, deadline=None)
@given(value=text)
def test_escaped_text_holds_only_printing_macros_and_balanced_braces(value: str) -> None:
    escaped = latex_escape(value)
    names = set(_CONTROL.findall(escaped))
    assert {name for name in names if name.isalpha()} <= _ALLOWED_MACROS
    bare = _CONTROL.sub("", escaped)
    assert not set(bare) & set("$&#^_%\\")
    depth = 0
    for char in bare:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert latex_unescape(latex_escape(value, ascii=False)) == value


# --- the fast escaping equals the character loop it replaced ----------------------------------


def _loop_latex_escape(text: str, ascii: bool = True) -> str:
    """`latex_escape` as it was written first, one character at a time: the reference."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    if ascii:
        text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for char in text:
        if char in SPECIALS:
            out.append(SPECIALS[char])
        elif ascii and ord(char) > 127:
            out.append(latex_char(char))
        else:
            out.append(char)
    return "".join(out)


def _loop_bibtex_title(title: str, ascii: bool) -> str:
    out: list[str] = []
    for part in re.split(r"(\s+)", title):
        escaped = _loop_latex_escape(part, ascii)
        inner = any(char.isupper() for char in part[1:]) or any(char.isdigit() for char in part)
        out.append(f"{{{escaped}}}" if part and not part.isspace() and inner else escaped)
    return "".join(out)


# Any text at all: line breaks and other whitespace, controls, combining marks (NFC composes
# them), the characters pylatexenc converts, and TeX's and BibTeX's special characters.
_ANY_TEXT = st.lists(
    st.characters(codec=None)
    | st.characters(min_codepoint=0x80, max_codepoint=0x2400)
    | st.sampled_from(list(SPECIALS) + list("\r\n\t\x0b\x1c\x85\u2028 \u0301\u212baAzZ09,"))
    | st.sampled_from(["and", "AND", "van", "LLaVA", "3D"])
).map("".join)
# ASCII titles have a faster path of their own.
_ASCII_TEXT = st.lists(
    st.characters(max_codepoint=127) | st.sampled_from(["LLaVA", "3D", "a_B", "\\x", " \n "])
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(value=_ANY_TEXT | _ASCII_TEXT, ascii=st.booleans())
def test_latex_escape_gives_what_the_character_loop_gave(value: str, ascii: bool) -> None:
    assert latex_escape(value, ascii) == _loop_latex_escape(value, ascii)
    assert bibtex_title(value, ascii) == _loop_bibtex_title(value, ascii)


def test_bibtex_title_gives_what_the_loop_gave_for_any_two_ascii_characters() -> None:
    for first in range(128):
        for second in range(128):
            value = f"{chr(first)}{chr(second)}"
            for title in (value, f"x{value}", f"{value} 9"):
                assert bibtex_title(title) == _loop_bibtex_title(title, True), repr(title)


def test_latex_escape_gives_what_the_character_loop_gave_for_each_character() -> None:
    for code in [*range(0x2400), 0xD800, 0x1F600, 0x10FFFF]:
        for value in (chr(code), f"e{chr(code)}\u0301 {chr(code)}\n"):
            for ascii in (True, False):
                assert latex_escape(value, ascii) == _loop_latex_escape(value, ascii), hex(code)


@settings(max_examples=500, deadline=None)
@given(name=_ANY_TEXT, ascii=st.booleans())
def test_any_author_is_escaped_as_family_comma_given_with_a_free_and_braced(
    kb: KnowledgeBase, name: str, ascii: bool
) -> None:
    family, comma, given = bibtex_name(name).partition(", ")

    def part(value: str) -> str:
        return re.sub(r"(?<!\S)(and)(?!\S)", r"{\1}", value, flags=re.IGNORECASE)

    if not comma:
        expected = part(_loop_latex_escape(family, ascii))
    elif not family or not given:
        expected = f"{{{_loop_latex_escape(f'{family}, {given}', ascii)}}}"
    else:
        given_part = _loop_latex_escape(given, ascii).replace(",", "{,}")
        expected = f"{part(_loop_latex_escape(family, ascii))}, {part(given_part)}"
    paper = _record(kb, authors=(name,))
    assert dict(entry_fields(paper, kb.taxonomy, ascii))["author"] == expected


def test_a_key_used_twice_in_a_library_is_refused(kb: KnowledgeBase) -> None:
    paper = kb.papers["doe2024probing"]
    with pytest.raises(ValueError, match="doe2024probing"):
        bibtex_library([paper, paper], kb.taxonomy)
    aliased = paper.model_copy(update={"aliases": ("doe2024probing",)})
    assert "doe2024probing" in bibtex_library([aliased], kb.taxonomy)
    with pytest.raises(ValueError, match="doe2024probing"):
        bibtex_library([aliased], kb.taxonomy, with_aliases=True)


@settings(max_examples=200, deadline=None)
@given(doi=st.from_regex(r"10\.[0-9]{4,6}/[A-Za-z0-9.()_;<>-]{1,20}", fullmatch=True))
def test_dois_are_kept_as_they_are(kb: KnowledgeBase, doi: str) -> None:
    assert dict(entry_fields(_record(kb, doi=doi), kb.taxonomy))["doi"] == doi


# --- the command and the real knowledge base ---------------------------------------------------


def test_the_command_filters_by_category_and_ids_and_writes_a_file(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out.bib"
    result = runner.invoke(
        main, ["--root", str(EXPORT_KB), "export", "bibtex", "--category", "model", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert [e["ID"] for e in _fields(out.read_text(encoding="utf-8"))] == [
        "belrose2023eliciting",
        "doe2024probing",
        "kim2024tuned",
        "muller2022clip",
    ]
    result = runner.invoke(
        main,
        ["--root", str(EXPORT_KB), "export", "bibtex", "--ids", "kim2024tuned,smith2021notes"],
    )
    assert result.exit_code == 0
    assert [e["ID"] for e in _fields(result.stdout)] == ["kim2024tuned", "smith2021notes"]


def test_the_command_rejects_an_unknown_id_or_category_with_a_hint() -> None:
    runner = CliRunner()
    root = ["--root", str(EXPORT_KB), "export", "bibtex"]
    result = runner.invoke(main, [*root, "--ids", "kim2024tune"])
    assert result.exit_code == 2
    assert "no record 'kim2024tune'; did you mean 'kim2024tuned'?" in result.output
    result = runner.invoke(main, [*root, "--category", "model.neurons"])
    assert result.exit_code == 2
    assert "did you mean 'model.neuron'?" in result.output


def test_exports_refuse_a_knowledge_base_with_errors(kb_root: Path) -> None:
    record = kb_root / "papers" / "doe2024probing.yaml"
    record.write_text(record.read_text().replace("venue: neurips", "venue: nope"))
    result = CliRunner().invoke(main, ["--root", str(kb_root), "export", "bibtex"])
    assert result.exit_code == 1
    assert "run kb validate and fix them first" in result.output


def test_the_real_knowledge_base_parses_back_with_one_entry_per_record() -> None:
    kb = load_knowledge_base(REPO).kb
    for ascii_only in (False, True):
        entries = _fields(bibtex_library(kb.papers.values(), kb.taxonomy, ascii=ascii_only))
        assert [e["ID"] for e in entries] == list(kb.papers)
        for entry in entries:
            assert latex_unescape(entry["title"]) == kb.papers[entry["ID"]].title or ascii_only
