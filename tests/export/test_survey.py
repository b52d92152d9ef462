"""Related work and the survey: golden files, escaping, and LaTeX that compiles and runs nothing.

The LaTeX tests compile three documents in all (hostile strings with a hostile bibliography,
the fixture survey, the real survey), a few seconds each; they need latexmk and the TeX Live
packages listed in scripts/debian-packages.txt and are skipped where those are missing.
"""

from __future__ import annotations

import gc
import random
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kb.cli.app import main
from kb.core.pipeline import load_knowledge_base
from kb.core.validate import KnowledgeBase
from kb.export.bibtex import bibtex_library
from kb.export.latex import ASCII_RANGES, LATEX_PREAMBLE, latex_escape
from kb.export.related_work import (
    escape_markdown,
    families,
    key_sentence,
    leaf_papers,
    method_family,
    related_work,
)
from kb.export.survey import cited_ids, survey
from tests.conftest import FIXTURES, REPO, assert_golden
from tests.strategies import text

EXPORT_KB = FIXTURES / "export"
LATEX = shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None
needs_latex = pytest.mark.skipif(not LATEX, reason="latexmk/pdflatex not installed")

HOSTILE = [
    r"\input{secret}",
    r"\immediate\write18{touch pwned}",
    r"\catcode`\@=0 @input{secret}",
    "^^5cinput{secret}",
    r"\def\x{\x}\x",
    r"\end{document}",
    "{unbalanced",
    "unbalanced}",
    "}{",
    "% not a comment",
    "#1 ## & _ ~ ^ $ $$ @",
    "emoji 😀🎉 and a flag 🇪🇺",
    "RTL עברית and العربية text",
    "\\",
    "a\nb\n\nc",
    "<script>alert(1)</script>",
    "Müller, Zoë, ł, ß, Ø, é, ñ, ç, İ, ğ, ő",
    "dashes \u2013 \u2014, quotes \u201c \u201d \u2018 \u2019, \u2026 \u2264 \u00d7 \u03b1 \u2192",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(EXPORT_KB).kb


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    result = load_knowledge_base(REPO)
    assert not result.errors()
    return result.kb


def _latexmk(folder: Path, main_file: str) -> str:
    """Compile with latexmk -pdf (no shell escape); return the log; fail on any error."""
    run = subprocess.run(
        [
            "latexmk",
            "-pdf",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-no-shell-escape",
            main_file,
        ],
        cwd=folder,
        capture_output=True,
        timeout=240,
        check=False,
    )
    log = (folder / main_file).with_suffix(".log").read_text(encoding="latin-1")
    assert run.returncode == 0, log[-3000:]
    assert (folder / main_file).with_suffix(".pdf").exists()
    return log


def _assert_clean(folder: Path, log: str) -> None:
    assert not re.search(r"^! ", log, re.MULTILINE)
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log, re.IGNORECASE)
    blg = folder.glob("*.blg")
    for path in blg:
        assert "Warning--" not in path.read_text(encoding="latin-1")


# --- related work -----------------------------------------------------------------------------


def test_methods_belong_to_the_family_at_the_root_of_their_lineage(kb: KnowledgeBase) -> None:
    assert method_family(kb.taxonomy, "tuned-lens") == "logit-lens"
    assert method_family(kb.taxonomy, "logit-lens") == "logit-lens"
    groups = families(kb.taxonomy, leaf_papers(kb, "model.layer"))
    assert [(g.method, [p.id for p in g.papers]) for g in groups] == [
        ("logit-lens", ["belrose2023eliciting", "doe2024probing", "kim2024tuned"])
    ]


def test_the_key_sentence_is_the_one_naming_the_contribution() -> None:
    summary = "Attention is cheap. Smith et al. propose a lens. It works well."
    assert key_sentence(summary) == "Smith et al. propose a lens."
    assert key_sentence("No marker here. Nor here.") == "No marker here."


@pytest.mark.parametrize("fmt", ["md", "tex"])
@pytest.mark.parametrize("leaf", ["model.layer", "model.neuron", "data.benchmark"])
def test_related_work_matches_its_golden_file(kb: KnowledgeBase, leaf: str, fmt: str) -> None:
    assert_golden(f"export/related-work-{leaf}.{fmt}", related_work(kb, leaf, fmt))  # type: ignore[arg-type]


def test_related_work_cites_only_records_of_the_category(kb: KnowledgeBase) -> None:
    for leaf in kb.taxonomy.leaves:
        ids = {p.id for p in leaf_papers(kb, leaf)}
        assert cited_ids(related_work(kb, leaf, "md")) == ids
        assert cited_ids(related_work(kb, leaf, "tex")) == ids


def test_the_related_work_command_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "rw.tex"
    result = CliRunner().invoke(
        main,
        [
            "--root",
            str(EXPORT_KB),
            "export",
            "related-work",
            "--category",
            "model.layer",
            "--format",
            "tex",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert r"\citep{kim2024tuned}" in out.read_text(encoding="utf-8")


def test_a_related_work_export_exists_for_every_leaf_of_the_real_knowledge_base(
    real_kb: KnowledgeBase,
) -> None:
    for leaf in real_kb.taxonomy.leaves:
        papers = leaf_papers(real_kb, leaf)
        for fmt in ("md", "tex"):
            text = related_work(real_kb, leaf, fmt)  # type: ignore[arg-type]
            assert cited_ids(text) == {p.id for p in papers}, leaf
            assert len(text) > 200


@settings(max_examples=300, deadline=None)
@given(value=text)
def test_markdown_escaping_leaves_no_special_character_unescaped(value: str) -> None:
    escaped = escape_markdown(value)
    unescaped = re.sub(r"\\.", "", escaped)
    assert not set(unescaped) & set("\\`*_{}[]<>#+!|~^$@&")
    assert not re.match(r"\s*(\d+[.)]|[-:])", escaped)
    assert re.sub(r"\\(.)", r"\1", escaped) == re.sub(r"\s+", " ", value)


# --- the fast text functions give what the regular expressions they replaced gave -------------


def _regex_escape_markdown(text: str) -> str:
    """`escape_markdown` as it was written first, with three substitutions: the reference."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"([\\`*_{}\[\]<>#+!|~^$@&])", r"\\\1", text)
    return re.sub(
        r"^(\s*)(\d+)([.)])|^(\s*)([-:])",
        lambda m: (
            f"{m.group(1)}{m.group(2)}\\{m.group(3)}"
            if m.group(2)
            else f"{m.group(4)}\\{m.group(5)}"
        ),
        text,
    )


def _regex_key_sentence(summary: str) -> str:
    """`key_sentence` as it was written first: split, then search every sentence."""
    flat = re.sub(r"\s+", " ", summary)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"])", flat) if s.strip()]
    contribution = re.compile(
        r"\b(propos|introduc|present)\w*|\b(this|the) (paper|work|study)\b|\bthe authors\b",
        re.IGNORECASE,
    )
    for sentence in sentences:
        if contribution.search(sentence):
            return sentence
    return sentences[0] if sentences else summary


# Summaries and findings: sentence ends, every kind of whitespace, the contribution words in
# and out of words and in any case (with the non-ASCII letters that match them ignoring case),
# and pandoc's special characters.
_PROSE = st.lists(
    st.characters(codec=None)
    | st.sampled_from(list('.!?"0A aZ_-:)1(\t\r\n\x0b\x1c\x85\u2028\u3000\u00a0'))
    | st.sampled_from(list("\u017f\u212a\u0130\u0131"))
    | st.sampled_from(list("\\`*_{}[]<>#+!|~^$@&"))
    | st.sampled_from(["the authors", "This paper", "THE  WORK", "the\nstudy", "propose"])
    | st.sampled_from(["representation", "Introduces", "presented", "network", "Authors"])
).map("".join)
# Sentences of words: the contribution words at the start of words, in later sentences.
_WORDS = st.lists(
    st.sampled_from(["It", "works.", "Lens", "probes", "a", "model.", "1.", "(this", "paper)"])
    | st.sampled_from(["representations", "Presented", "introducing", "proposal", "the"])
    | st.sampled_from(["work", "study", "authors", "THE", "Authors.", "-", "\n", '"Quoted."'])
).map(" ".join)


@settings(max_examples=1000, deadline=None)
@given(value=_PROSE | _WORDS)
@example("Attention is cheap. Results were presented here.")
@example("Attention is cheap. In this\nwork, a lens.")
@example("It works. A proposal.")
@example("It works. Introducing lenses.")
@example("It works. This paper, at last.")
@example("It works. The study shows it.")
@example("It works. The AUTHORS say so.")
def test_escape_markdown_and_key_sentence_give_what_the_regular_expressions_gave(
    value: str,
) -> None:
    assert escape_markdown(value) == _regex_escape_markdown(value)
    assert key_sentence(value) == _regex_key_sentence(value)


def test_str_split_and_regular_expressions_agree_on_whitespace() -> None:
    # NOTE: kb.related_work squashes whitespace with str.split rather than re.sub(r"\s+").
    whitespace = [chr(code) for code in range(sys.maxunicode + 1) if re.match(r"\s", chr(code))]
    assert [char for char in whitespace if len(f"a{char}b".split()) != 2] == []
    assert [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()] == whitespace
    assert [char for char in whitespace if char.isprintable()] == [" "]


def test_a_record_replaced_in_the_knowledge_base_gets_new_sentences() -> None:
    kb = load_knowledge_base(EXPORT_KB).kb
    before = related_work(kb, "model.layer", "md")
    paper = kb.papers["kim2024tuned"]
    kb.papers["kim2024tuned"] = paper.model_copy(update={"summary": "We propose a new lens."})
    after = related_work(kb, "model.layer", "md")
    assert "We propose a new lens [@kim2024tuned]." in after
    assert after == related_work(replace(kb, papers=dict(kb.papers)), "model.layer", "md")
    other = replace(kb, papers={**kb.papers, "kim2024tuned": paper})
    assert related_work(other, "model.layer", "md") == before
    assert related_work(kb, "model.layer", "md") == after


def test_sentences_are_shared_only_while_their_knowledge_base_lives() -> None:
    from kb.export import related_work as module

    kb = load_knowledge_base(EXPORT_KB).kb
    cold = survey(kb, "md").files
    assert id(kb) in module._MEMOS
    related = [related_work(kb, leaf, "md") for leaf in kb.taxonomy.leaves]
    assert survey(kb, "md").files == cold
    fresh = load_knowledge_base(EXPORT_KB).kb
    assert [related_work(fresh, leaf, "md") for leaf in fresh.taxonomy.leaves] == related
    key = id(kb)
    del kb
    gc.collect()
    assert key not in module._MEMOS


# --- the survey -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_the_fixture_survey_matches_its_golden_files(kb: KnowledgeBase, fmt: str) -> None:
    result = survey(kb, fmt)  # type: ignore[arg-type]
    assert list(result.files) == [
        result.main,
        "references.bib" if fmt == "tex" else "references.json",
    ]
    assert_golden(f"export/survey.{fmt}", result.files[result.main])


def test_the_survey_cites_every_record_and_only_records(kb: KnowledgeBase) -> None:
    for fmt in ("md", "tex"):
        text = survey(kb, fmt).files[f"survey.{fmt}"]  # type: ignore[arg-type]
        assert cited_ids(text) == set(kb.papers)


def test_the_real_survey_cites_at_least_80_percent_of_the_records(real_kb: KnowledgeBase) -> None:
    for fmt in ("md", "tex"):
        cited = cited_ids(survey(real_kb, fmt).files[f"survey.{fmt}"])  # type: ignore[arg-type]
        assert cited <= set(real_kb.papers)
        assert len(cited) >= 0.8 * len(real_kb.papers)


def test_the_survey_command_writes_the_text_and_the_bibliography_beside_it(
    tmp_path: Path,
) -> None:
    out = tmp_path / "paper" / "main.tex"
    result = CliRunner().invoke(
        main, ["--root", str(EXPORT_KB), "export", "survey", "--format", "tex", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["main.tex", "references.bib"]
    assert "latexmk -pdf" in result.output


def _hostile_strings() -> list[str]:
    """HOSTILE, 150 random strings over every plane, and every character we convert."""
    rng = random.Random(20241123)
    pool = [chr(c) for c in range(32, 127)] + [
        chr(rng.randrange(0xA0, 0x2FFFF)) for _ in range(3000)
    ]
    pool = [c for c in pool if c.isprintable()]
    randoms = ["".join(rng.choice(pool) for _ in range(rng.randrange(1, 40))) for _ in range(150)]
    table = "".join(chr(c) for low, high in ASCII_RANGES for c in range(low, high + 1))
    return [*HOSTILE, *randoms, table]


@needs_latex
def test_hostile_text_and_bibliography_compile_and_run_nothing(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    (tmp_path / "secret.tex").write_text("\\typeout{SECRET-WAS-READ}\n")
    strings = _hostile_strings()
    base = kb.papers["muller2022clip"]
    papers = [
        base.model_copy(update={"id": f"h{index}", "title": value, "authors": (value, "A B")})
        for index, value in enumerate(HOSTILE)
    ]
    (tmp_path / "hostile.bib").write_text(
        bibtex_library(papers, kb.taxonomy, ascii=True), encoding="utf-8"
    )
    body = "\n\n".join(f"{index}: {latex_escape(value)}" for index, value in enumerate(strings))
    document = (
        "\\documentclass{article}\n"
        f"{LATEX_PREAMBLE}"
        "\\usepackage[authoryear]{natbib}\n\\usepackage[hidelinks]{hyperref}\n"
        f"\\begin{{document}}\n{body}\n\n\\nocite{{*}}\n"
        "\\bibliographystyle{plainnat}\n\\bibliography{hostile}\n\\end{document}\n"
    )
    (tmp_path / "hostile.tex").write_text(document, encoding="utf-8")
    log = _latexmk(tmp_path, "hostile.tex")
    _assert_clean(tmp_path, log)
    assert "SECRET-WAS-READ" not in log
    assert not (tmp_path / "pwned").exists()
    bbl = (tmp_path / "hostile.bbl").read_text(encoding="latin-1")
    assert bbl.count("\\bibitem") == len(HOSTILE)


@needs_latex
def test_the_fixture_survey_compiles_with_every_citation_and_reference_defined(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    for name, content in survey(kb, "tex").files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    _assert_clean(tmp_path, _latexmk(tmp_path, "survey.tex"))


@needs_latex
def test_the_real_survey_compiles_to_a_pdf_with_every_citation_defined(
    real_kb: KnowledgeBase, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "--root",
            str(REPO),
            "export",
            "survey",
            "--format",
            "tex",
            "-o",
            str(tmp_path / "survey.tex"),
        ],
    )
    assert result.exit_code == 0, result.output
    log = _latexmk(tmp_path, "survey.tex")
    _assert_clean(tmp_path, log)
    bbl = (tmp_path / "survey.bbl").read_text(encoding="latin-1")
    assert bbl.count("\\bibitem") == len(cited_ids((tmp_path / "survey.tex").read_text()))


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_the_markdown_survey_converts_with_pandoc_citeproc(
    real_kb: KnowledgeBase, tmp_path: Path
) -> None:
    for name, content in survey(real_kb, "md").files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    run = subprocess.run(
        ["pandoc", "survey.md", "--citeproc", "-s", "-o", "survey.html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "not found" not in run.stderr
