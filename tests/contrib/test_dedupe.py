"""`kb dedupe`: duplicates planted in the real knowledge base are found, and nothing else."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from kb.cli.app import main
from kb.contrib.dedupe import PREPRINT_SCORE, TITLE_SCORE, Index, _preprint_pairs, find_duplicates
from kb.contrib.heads import (
    HEAD_FIELDS,
    Entry,
    _canonical_head,
    entry_from_data,
    entry_from_text,
    normalise_arxiv,
    normalise_doi,
    normalise_title,
    read_entries,
    record_head,
)
from kb.contrib.titles import BLOCK_LIMIT, PREFIX_WORDS, Titles, _prefix_blocks
from kb.core.fmt import format_paper
from kb.core.load import MAX_FILE_BYTES, MAX_OPENERS, parse_text
from kb.core.pipeline import load_knowledge_base
from kb.core.records import paper_model
from tests.conftest import FIXTURE_KB, REPO
from tests.hostile.corpus import HOSTILE
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


def _agrees_with_yaml(text: str) -> bool:
    """Whether the fast reader read `text` (else it declined), failing if it read it wrong."""
    fast = _canonical_head(text)
    if fast is not None:
        assert entry_from_data(fast, "papers/x.yaml") == _by_yaml(text, "papers/x.yaml"), text
    assert entry_from_text(text, "papers/x.yaml") == _by_yaml(text, "papers/x.yaml"), text
    return fast is not None


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("id:titleauthorsarxivdoi -[]{}\"#>\n'")), max_size=200)
)
def test_the_fast_reader_agrees_with_yaml_on_arbitrary_text(text: str) -> None:
    """Whatever the text, the fast reader either declines or reads what YAML reads."""
    _agrees_with_yaml(text)


_HEAD = "id: a\ntitle: T\n"
_TAIL = "taxonomy: [model.layer]\nsummary: >-\n  Some text.\n"


@pytest.mark.parametrize(
    ("text", "read"),
    [
        # What kb fmt writes: quoted, folded, flow and block lists, quoted commas, unicode.
        (_HEAD + 'authors: ["Sung-Bin, Kim", Joon Son Chung]\nyear: 2024\n' + _TAIL, True),
        ('id: a\ntitle: "Foo: Bar #1"\nauthors:\n  - Ana Li\n  - "B: C"\n' + _TAIL, True),
        ("id: a\ntitle: >-\n  Long folded\n  title text\nvenue: arxiv\n" + _TAIL, True),
        ("id: a\ntitle: Lauren\u00e7on\u2019s \u201cLLaVA\u201d \U0001f600\n" + _TAIL, True),
        (_HEAD + 'authors: [Laurençon, Hugo]\narxiv: "2304.08485v2"\ndoi: 10.1/X\n', True),
        # Any key order, comments first, no taxonomy, aliases after everything.
        ("# yaml-language-server: x\n" + _TAIL + "year: 2020\n" + _HEAD, True),
        (_HEAD + _TAIL + "aliases: [b, c]\nadded: 2024-01-01\n", True),
        (_HEAD + _TAIL + "aliases:\n  - b\n  - c", True),
        ("---\n" + _HEAD, True),
        ("\ufeffid: a\ntitle: T\n", True),  # the first line is no key: record_head drops it
        (_HEAD + _TAIL + "title: Again\n", True),
        (_HEAD + "year: 0\nvenue: (x) y\n", True),
        (_HEAD + "summary: |\n\ttabbed\n- stray\n" + _TAIL, True),  # not head lines
        # YAML reads these otherwise than a naive reading would: the reader declines.
        (_HEAD + "year: 0123\n", False),
        (_HEAD + "year: 0b101\n", False),
        (_HEAD + "venue: yes\n", False),
        (_HEAD + "venue: foo:\n", False),
        (_HEAD + "venue: a #b\n", False),
        (_HEAD + 'arxiv: "\\ud83d\\ude00"\n', False),
        (_HEAD + "aliases: [a, , b]\n", False),
        (_HEAD + "aliases: [,a]\n", False),
        (_HEAD + "aliases: [yes, 1]\n", False),
        ("id: a\ntitle: >-\n  one\n\n  two\n", False),
        ("id: a\ntitle: >-\n  one\n    two\n", False),
        ("id: a\ntitle: >-\n  one\n# comment\n  two\n", False),
        ("id: a\ntitle: one\n  two\n", False),
        ("id: a\nauthors:\n  - A B\n  # comment\n  - C\n", False),
        ("id: a\nauthors:\n  - A B\n  - 2023-13-45\n", False),
        ("id: a\ntitle : Spaced key\n", False),
        (_HEAD + "venue: x\u00a0\n", False),
        (_HEAD + "venue: a\x85b\n", False),
        (_HEAD + "venue: a\x7fb\n", False),
        (_HEAD + "summary: a\x0ctitle: Smuggled\n", False),
        (_HEAD + "summary: a\u2028title: Smuggled\n", False),
        ("id: a\r\ntitle: T\r\n", False),
        ("id: a\ntitle:\tT\n", False),
        ("id: a\ntitle: T\n\tx: 1\n", False),
        ("kind: research\n" + _TAIL, False),
        ("", False),
    ],
)
def test_the_fast_reader_agrees_with_yaml_on_tricky_records(text: str, read: bool) -> None:
    assert _agrees_with_yaml(text) == read


_KEYS = [*sorted(HEAD_FIELDS), "kind", "taxonomy", "ids", "on"]
_VALUES = [
    "Visual Instruction Tuning",
    "Laurençon, Hugo",
    "2023",
    '"2304.08485"',
    "10.1/ABC",
    "yes",
    "null",
    "~",
    "08",
    "0x1F",
    "1:30",
    "2023-01-02",
    "foo:",
    "a: b",
    "a #b",
    "'q'",
    '"a\\u00e9 \\"q\\""',
    '"\\ud800"',
    '"open',
    "&anchor x",
    "*alias",
    "!!str x",
    "|",
    ">-",
    "[a, b]",
    '["a, b", c]',
    "[a, , b]",
    "{a: b}",
    "- x",
    "x\u00a0",
    "x\u200b",
    "\U0001f600 e",
    "x ",
    "?x",
]
_LINES = ["  - {}", "  {}", "   {}", "  ", "", "# c", "  # c", "- {}", " {}"]


@st.composite
def _head_texts(draw: st.DrawFn) -> str:
    """Record-like text: head and other fields, scalar, folded, block and flow values, and now
    and then a line that does not belong."""
    value = st.sampled_from(_VALUES)
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 7))):
        key = draw(st.sampled_from(_KEYS))
        shape = draw(st.sampled_from(["scalar", "folded", "block", "flow", "odd"]))
        if shape == "scalar":
            lines.append(f"{key}:{draw(st.sampled_from([' ', '  ', '', ' :']))}{draw(value)}")
        elif shape == "flow":
            lines.append(f"{key}: [{', '.join(draw(st.lists(value, max_size=3)))}]")
        elif shape == "odd":
            lines.append(draw(st.sampled_from(_LINES)).format(draw(value)))
        else:
            lines.append(f"{key}: >-" if shape == "folded" else f"{key}:")
            prefix = "  " if shape == "folded" else "  - "
            lines += [prefix + draw(value) for _ in range(draw(st.integers(1, 3)))]
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=1000, deadline=None)
@given(_head_texts())
def test_the_fast_reader_agrees_with_yaml_on_record_like_text(text: str) -> None:
    _agrees_with_yaml(text)


def test_the_fast_reader_agrees_with_yaml_on_every_real_record() -> None:
    """And reads every one of them: declining would only make dedupe slower."""
    for path in sorted((REPO / "papers").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        display = f"papers/{path.name}"
        assert _canonical_head(text) is not None, path.name
        assert entry_from_text(text, display) == _by_yaml(text, display), path.name


def test_hostile_records_are_skipped_or_read_as_yaml_reads_them(tmp_path: Path) -> None:
    """No traceback, and no crash: libyaml recurses to death on deep nesting, which the slow
    path therefore never hands it."""
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    for number, case in enumerate(HOSTILE[name] for name in sorted(HOSTILE)):
        if not case.path.startswith("papers/"):
            continue
        (root / "papers" / f"hostile{number}.yaml").write_bytes(case.content)
        try:
            text = case.content.decode("utf-8")
        except UnicodeDecodeError:
            continue
        head = record_head(text)
        if len(head) - len(head.translate(str.maketrans("", "", "[{-:?"))) > MAX_OPENERS:
            assert entry_from_text(text, "papers/x.yaml") is None
        elif len(case.content) <= MAX_FILE_BYTES:
            _agrees_with_yaml(text)
    code, output = _dedupe(root)
    assert code in (0, 1), output
    assert "Traceback" not in output


_TITLE_TEXT = st.text(
    alphabet=st.sampled_from([*"abcde 019", "\u00e9", "\u4e00", "\U0001f600"]),
    max_size=90,
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_TITLE_TEXT, _TITLE_TEXT), min_size=1, max_size=20))
def test_the_title_prefilter_keeps_every_pair_that_could_score(
    pairs: list[tuple[str, str]],
) -> None:
    """A pair is dismissed unscored only when its score is certainly below the cutoff."""
    text = [title for pair in pairs for title in pair]
    titles = Titles.of(text)
    first = np.arange(0, len(text), 2)
    second = first + 1
    for cutoff in (TITLE_SCORE, PREPRINT_SCORE):
        kept = set(titles.may_score(first, second, cutoff).tolist())
        rows, columns = titles.may_score_cells(first, second, cutoff)
        cells = set(zip(rows.tolist(), columns.tolist(), strict=True))
        for position, (a, b) in enumerate(pairs):
            if fuzz.ratio(a, b) >= cutoff:
                assert position in kept, (a, b)
            for other, (_, c) in enumerate(pairs):
                if fuzz.ratio(a, c) >= cutoff:
                    assert (position, other) in cells, (a, c)


def _reference_blocks(titles: list[str]) -> set[tuple[int, ...]]:
    """The prefix blocks as the module docstring defines them, computed the plain way."""
    bags = [set(title.split()) for title in titles]
    frequency = Counter(word for bag in bags for word in bag)
    blocks: dict[str, list[int]] = {}
    for position, bag in enumerate(bags):
        for word in sorted(bag, key=lambda word: (frequency[word], word))[:PREFIX_WORDS]:
            if frequency[word] <= BLOCK_LIMIT:
                blocks.setdefault(word, []).append(position)
    return {tuple(block) for block in blocks.values() if len(block) > 1}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefghij"), max_size=6).map(" ".join), max_size=60))
def test_prefix_blocks_are_each_titles_rarest_words(titles: list[str]) -> None:
    members, sizes = _prefix_blocks([title.split() for title in titles])
    starts = np.cumsum(sizes) - sizes
    found = {
        tuple(members[start : start + size].tolist())
        for start, size in zip(starts.tolist(), sizes.tolist(), strict=True)
        if size > 1
    }
    assert found == _reference_blocks(titles)


def test_the_preprint_rule_finds_what_comparing_every_pair_finds() -> None:
    """Against all pairs: same first author, years at most two apart, score at least 80."""
    rng = random.Random(3)
    words = ["vision", "language", "model", "probe", "neuron", "circuit", "lens", "token"]
    entries = []
    for number in range(400):
        title = " ".join(rng.choices(words, k=rng.randint(3, 6)))
        entries.append(
            _entry(
                f"papers/p{number:04d}.yaml",
                title,
                venue=rng.choice(["arxiv", "neurips", "iclr"]),
                year=rng.choice([2020, 2021, 2023, 2024, None]),
                authors=(rng.choice(["Ana Li", "Bo Wu", "Cy Ng"]),),
            )
        )
    expected = set()
    for a, first in enumerate(entries):
        for b, second in enumerate(entries):
            if (
                first.preprint
                and not second.preprint
                and first.first_author == second.first_author
                and (
                    first.year is None or second.year is None or abs(first.year - second.year) <= 2
                )
                and fuzz.ratio(first.title, second.title) >= PREPRINT_SCORE
            ):
                expected.add((min(a, b), max(a, b)))
    titles = [entry.title for entry in entries]
    same = {title: [i for i, t in enumerate(titles) if t == title] for title in titles}
    found = {
        (link.first, link.second) for link in _preprint_pairs(entries, same, Titles.of(list(same)))
    }
    assert expected and found == expected


def test_reading_in_worker_processes_gives_what_reading_here_gives(
    real_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = sorted(read_entries(real_kb), key=lambda entry: entry.path)
    monkeypatch.setattr("kb.contrib.heads.PARALLEL_FILES", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    assert sorted(read_entries(real_kb), key=lambda entry: entry.path) == here
    assert len(here) == len(list((real_kb / "papers").glob("*.yaml")))


def test_large_unreadable_and_non_utf8_files_are_left_to_validate(real_kb: Path) -> None:
    papers = real_kb / "papers"
    record = (papers / "liu2023visual.yaml").read_text()
    long = record.replace("id: liu2023visual\n", "id: longrecord\n") + "# padding\n" * 20_000
    (papers / "longrecord.yaml").write_text(long)
    (papers / "toolarge.yaml").write_text(record + "#" * MAX_FILE_BYTES)
    (papers / "latin1.yaml").write_bytes(record.encode() + b"# caf\xe9\n")
    (papers / "folder.yaml").mkdir()
    paths = {entry.path: entry for entry in read_entries(real_kb)}
    assert paths["papers/longrecord.yaml"].id == "longrecord"
    assert len(long.encode()) > 65_536
    assert "papers/toolarge.yaml" not in paths
    assert "papers/latin1.yaml" not in paths
    assert "papers/folder.yaml" not in paths
