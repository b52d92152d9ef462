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
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli.app import main
from kb.core.pipeline import load_knowledge_base
from kb.core.records import Answer, Paper, Relation
from kb.core.validate import KnowledgeBase
from kb.export.bibtex import bibtex_library
from kb.export.latex import ASCII_RANGES, LATEX_PREAMBLE, latex_escape
from kb.export.related_work import escape_markdown, leaf_papers, method_family
from kb.export.survey import cited_ids, survey
from kb.export.synthesis import method_groups, related_work
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


def _assert_fits(log: str) -> None:
    """No box in the log sticks out of the text width by more than 5 pt."""
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert [w for w in widths if w > 5.0] == []


def _assert_clean(folder: Path, log: str) -> None:
    assert not re.search(r"^! ", log, re.MULTILINE)
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log, re.IGNORECASE)
    blg = folder.glob("*.blg")
    for path in blg:
        assert "Warning--" not in path.read_text(encoding="latin-1")


# --- related work -----------------------------------------------------------------------------


def test_methods_come_in_lineage_and_time_order(kb: KnowledgeBase) -> None:
    assert method_family(kb.taxonomy, "tuned-lens") == "logit-lens"
    assert method_family(kb.taxonomy, "logit-lens") == "logit-lens"
    groups = method_groups(kb.taxonomy, leaf_papers(kb, "model.layer"))
    # logit lens before the tuned lens that extends it, although the tuned-lens paper is older
    assert [(g.method, [p.id for p in g.papers]) for g in groups] == [
        ("logit-lens", ["doe2024probing"]),
        ("tuned-lens", ["belrose2023eliciting", "kim2024tuned"]),
    ]


@pytest.mark.parametrize("fmt", ["md", "tex"])
@pytest.mark.parametrize("leaf", ["model.layer", "model.neuron", "data.benchmark"])
def test_related_work_matches_its_golden_file(kb: KnowledgeBase, leaf: str, fmt: str) -> None:
    assert_golden(f"export/related-work-{leaf}.{fmt}", related_work(kb, leaf, fmt=fmt))  # type: ignore[arg-type]


def _related_targets(papers: list[Paper]) -> set[str]:
    return {relation.target for paper in papers for relation in paper.relations}


def test_related_work_cites_the_category_and_what_its_records_relate_to(kb: KnowledgeBase) -> None:
    for leaf in kb.taxonomy.leaves:
        papers = leaf_papers(kb, leaf)
        ids = {p.id for p in papers}
        for fmt in ("md", "tex"):
            cited = cited_ids(related_work(kb, leaf, fmt=fmt))  # type: ignore[arg-type]
            assert ids <= cited <= ids | _related_targets(papers)


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


def test_related_work_for_any_selection_of_records(kb: KnowledgeBase) -> None:
    runner = CliRunner()
    args = ["--root", str(EXPORT_KB), "export", "related-work"]
    result = runner.invoke(main, [*args, "--ids", "kim2024tuned, smith2021notes"])
    assert result.exit_code == 0, result.output
    assert result.output == related_work(kb, ids=["kim2024tuned", "smith2021notes"])
    assert "## Related work: Selected work" in result.output
    assert "@kim2024tuned improves on @doe2024probing\\: Reads image tokens" in result.output
    wrong = runner.invoke(main, [*args, "--ids", "kim2024tund"])
    assert wrong.exit_code != 0
    assert "no record 'kim2024tund'; did you mean 'kim2024tuned'?" in wrong.output
    both = runner.invoke(main, [*args, "--ids", "kim2024tuned", "--category", "model.layer"])
    assert both.exit_code == 2
    assert "give either --category LEAF or --ids" in both.output


def test_a_related_work_export_exists_for_every_leaf_of_the_real_knowledge_base(
    real_kb: KnowledgeBase,
) -> None:
    for leaf in real_kb.taxonomy.leaves:
        papers = leaf_papers(real_kb, leaf)
        for fmt in ("md", "tex"):
            text = related_work(real_kb, leaf, fmt=fmt)  # type: ignore[arg-type]
            ids = {p.id for p in papers}
            assert ids <= cited_ids(text) <= ids | _related_targets(papers), leaf
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


@settings(max_examples=1000, deadline=None)
@given(value=st.text())
def test_escape_markdown_gives_what_the_regular_expressions_gave(value: str) -> None:
    assert escape_markdown(value) == _regex_escape_markdown(value)


def test_str_split_and_regular_expressions_agree_on_whitespace() -> None:
    # NOTE: kb.related_work squashes whitespace with str.split rather than re.sub(r"\s+").
    whitespace = [chr(code) for code in range(sys.maxunicode + 1) if re.match(r"\s", chr(code))]
    assert [char for char in whitespace if len(f"a{char}b".split()) != 2] == []
    assert [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()] == whitespace
    assert [char for char in whitespace if char.isprintable()] == [" "]


def test_a_record_replaced_in_the_knowledge_base_gets_new_sentences() -> None:
    kb = load_knowledge_base(EXPORT_KB).kb
    before = related_work(kb, "model.layer")
    paper = kb.papers["kim2024tuned"]
    kb.papers["kim2024tuned"] = paper.model_copy(update={"tldr": "A new lens reads tokens."})
    after = related_work(kb, "model.layer")
    assert "A new lens reads tokens [@kim2024tuned]." in after
    assert after == related_work(replace(kb, papers=dict(kb.papers)), "model.layer")
    other = replace(kb, papers={**kb.papers, "kim2024tuned": paper})
    assert related_work(other, "model.layer") == before
    assert related_work(kb, "model.layer") == after


def test_sentences_are_shared_only_while_their_knowledge_base_lives() -> None:
    from kb.export import related_work as module

    kb = load_knowledge_base(EXPORT_KB).kb
    cold = survey(kb, "md").files
    assert id(kb) in module._MEMOS
    related = [related_work(kb, leaf) for leaf in kb.taxonomy.leaves]
    assert survey(kb, "md").files == cold
    fresh = load_knowledge_base(EXPORT_KB).kb
    assert [related_work(fresh, leaf) for leaf in fresh.taxonomy.leaves] == related
    key = id(kb)
    del kb
    gc.collect()
    assert key not in module._MEMOS


# --- the survey -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_the_fixture_survey_matches_its_golden_files(kb: KnowledgeBase, fmt: str) -> None:
    result = survey(kb, fmt)  # type: ignore[arg-type]
    main_file, references = list(result.files)
    assert main_file == result.main
    assert re.fullmatch(
        r"references-[0-9a-f]{12}\." + ("bib" if fmt == "tex" else "json"), references
    )
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
    names = sorted(p.name for p in out.parent.iterdir())
    assert names[0] == "main.tex" and re.fullmatch(r"references-[0-9a-f]{12}\.bib", names[1])
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
    log = _latexmk(tmp_path, "survey.tex")
    _assert_clean(tmp_path, log)
    _assert_fits(log)


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
    _assert_fits(log)
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


# --- the rules of a survey that synthesises ----------------------------------------------------

_BOLD_LEAD = re.compile(r"^\*\*[^*]+\*\* ")
_CITATION = re.compile(r" ?\[@[^\]]*\]")


def _prose_sentences(document: str) -> list[str]:
    """The sentences of a Markdown survey's prose: tables, headings and front matter out."""
    body = document.split("# Introduction", 1)[1]
    lines = [
        line
        for line in body.splitlines()
        if line and not line.startswith(("|", ": ", "#", "<!--", "::: ", ":::"))
    ]
    text = " ".join(line.removeprefix("- ") for line in lines)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=\S)", text) if s.strip()]


def _record_texts(kb: KnowledgeBase) -> list[str]:
    """Texts that come from records and vocabularies, escaped as the survey writes them."""
    taxonomy = kb.taxonomy
    texts = [
        text
        for paper in kb.papers.values()
        for text in (paper.tldr or "", paper.title, *(r.note for r in paper.relations))
    ]
    texts += [m.description for m in taxonomy.methods.values()]
    texts += [n.description for n in taxonomy.perspectives.values()]
    texts += [_CITATION.sub("", n.overview or "") for n in taxonomy.perspectives.values()]
    texts += [_CITATION.sub("", t.overview) for t in taxonomy.survey.values()]
    return [escape_markdown(text) for text in texts if text]


def _check_rules(kb: KnowledgeBase, document: str) -> None:
    """The rules of the survey: nothing said twice, each record introduced once under a method
    it uses, no generated sentence opening like another, none leaning on the one before."""
    sentences = _prose_sentences(document)
    long = [s for s in sentences if len(s.split()) >= 6]
    repeated = {s for s in long if long.count(s) > 1}
    assert repeated == set(), repeated
    record_texts = _record_texts(kb)
    generated = []
    for sentence in sentences:
        core = _CITATION.sub("", _BOLD_LEAD.sub("", sentence)).rstrip(".").strip()
        if core and not any(core in text for text in record_texts):
            generated.append(core)
    openers = [" ".join(core.split()[:3]) for core in generated if len(core.split()) >= 4]
    assert sorted({o for o in openers if openers.count(o) > 1}) == []
    leaning = ("It ", "They ", "This ", "These ", "The paper", "The authors")
    assert [core for core in generated if core.startswith(leaning)] == []
    names = {m.name: key for key, m in kb.taxonomy.methods.items()}
    for paper in kb.papers.values():
        if not paper.tldr:
            continue
        introduced = escape_markdown(paper.tldr).rstrip(".") + f" [@{paper.id}]"
        assert document.count(introduced) <= 1, paper.id
        for paragraph in document.split("\n\n"):
            lead = re.match(r"\*\*([^*]+)\.\*\* ", paragraph)
            if lead and introduced in paragraph:
                assert names[lead.group(1).replace("\\", "")] in paper.methods, paper.id


def test_the_fixture_survey_follows_the_rules(kb: KnowledgeBase) -> None:
    document = survey(kb, "md").files["survey.md"]
    _check_rules(kb, document)
    assert document.startswith(
        '---\ntitle: "Explainability of multimodal models, a fixture survey"\n'
    )
    assert "Lenses read what each layer predicts [@belrose2023eliciting; @kim2024tuned]" in (
        document
    )
    assert "@kim2024tuned improves on @doe2024probing\\: Reads image tokens" in document
    assert (
        "@belrose2023eliciting and @doe2024probing can be rerun from public "
        "code, whereas @kim2024tuned cannot be rerun from public code; @doe2024probing can be "
        "applied without training anything, whereas @belrose2023eliciting and @kim2024tuned "
        "must train a translator or probe."
    ) in document
    assert "**Code released.** 1 of the 3 records answering the question cannot be rerun" in (
        document
    )


def test_the_real_survey_follows_the_rules(real_kb: KnowledgeBase) -> None:
    _check_rules(real_kb, survey(real_kb, "md").files["survey.md"])


_TLDRS = st.lists(
    st.lists(st.sampled_from(["lenses", "probe", "heads", "read", "image", "tokens", "fail"]))
    .filter(lambda words: len(words) >= 4)
    .map(lambda words: "Models " + " ".join(words) + "."),
    min_size=8,
    max_size=8,
    unique=True,
)


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    tldrs=_TLDRS,
)
def test_generated_knowledge_bases_give_surveys_that_follow_the_rules(
    kb: KnowledgeBase, data: st.DataObject, tldrs: list[str]
) -> None:
    taxonomy = kb.taxonomy
    base = kb.papers["doe2024probing"]
    ids = [f"p{index}x{2018 + index}" for index in range(len(tldrs))]
    papers: dict[str, Paper] = {}
    for index, (paper_id, tldr) in enumerate(zip(ids, tldrs, strict=True)):
        methods = data.draw(
            st.lists(st.sampled_from(list(taxonomy.methods)), min_size=1, max_size=2, unique=True)
        )
        leaves = data.draw(
            st.lists(st.sampled_from(taxonomy.leaves), min_size=1, max_size=2, unique=True)
        )
        answers = data.draw(
            st.dictionaries(
                st.sampled_from(["training-free", "code-released"]), st.booleans(), max_size=2
            )
        )
        targets = data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
        kinds = data.draw(st.lists(st.sampled_from(["extends", "applies"]), min_size=2, max_size=2))
        papers[paper_id] = base.model_copy(
            update={
                "id": paper_id,
                "year": 2018 + index,
                "tldr": tldr,
                "methods": tuple(methods),
                "taxonomy": tuple(leaves),
                "properties": {key: Answer(value=value) for key, value in answers.items()},
                "relations": tuple(
                    Relation(type=kind, target=target, note=f"Note from {paper_id} to {target}.")
                    for kind, target in zip(kinds, targets, strict=False)
                    if target != paper_id
                ),
                "results": (),
            }
        )
    # NOTE: the curated overviews cite the fixture's records, which this knowledge base lacks.
    plain = replace(
        taxonomy,
        perspectives={
            k: v.model_copy(update={"overview": None}) for k, v in taxonomy.perspectives.items()
        },
        survey={},
    )
    generated = replace(kb, taxonomy=plain, papers=dict(sorted(papers.items())))
    document = survey(generated, "md").files["survey.md"]
    _check_rules(generated, document)
    assert cited_ids(document) == set(papers)


def test_the_survey_folder_always_pairs_a_main_file_with_its_own_bibliography(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "survey"
    args = ["--root", str(EXPORT_KB), "export", "survey", "--format", "tex"]
    first = CliRunner().invoke(main, [*args, "-o", str(folder / "survey.tex")])
    assert first.exit_code == 0, first.output
    old = {p.name for p in folder.iterdir()}
    bib = next(name for name in old if name.endswith(".bib"))
    assert f"\\bibliography{{{bib[:-4]}}}" in (folder / "survey.tex").read_text()
    # A changed knowledge base, and a writer killed right after the new bibliography.
    changed = tmp_path / "kb"
    shutil.copytree(EXPORT_KB, changed)
    record = changed / "papers" / "kim2024tuned.yaml"
    record.write_text(record.read_text().replace("Tuned Lenses for", "Tuned Lenses Again for"))
    from kb.cli import export as export_module

    real_write = export_module.write_atomic

    def killed(path: Path, data: str | bytes) -> None:
        if path.suffix == ".tex":
            raise KeyboardInterrupt
        real_write(path, data)

    monkeypatch.setattr(export_module, "write_atomic", killed)
    CliRunner().invoke(main, ["--root", str(changed), *args[2:], "-o", str(folder / "survey.tex")])
    main_text = (folder / "survey.tex").read_text()
    named = re.search(r"\\bibliography\{([^}]+)\}", main_text)
    assert named is not None and named.group(1) == bib[:-4]
    assert "Again" not in (folder / bib).read_text()
    monkeypatch.setattr(export_module, "write_atomic", real_write)
    done = CliRunner().invoke(
        main, ["--root", str(changed), *args[2:], "-o", str(folder / "survey.tex")]
    )
    assert done.exit_code == 0, done.output
    now = sorted(p.name for p in folder.iterdir())
    assert len(now) == 2 and bib not in now
    new_bib = next(name for name in now if name.endswith(".bib"))
    assert "Again" in (folder / new_bib).read_text()
    assert f"\\bibliography{{{new_bib[:-4]}}}" in (folder / "survey.tex").read_text()
