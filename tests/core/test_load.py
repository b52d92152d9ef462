"""The loader: plain values with positions; everything else refused with a location."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kb.core.load import LoadError, load_document, parse_text
from kb.core.problems import Position


def test_values_keep_their_line_and_column() -> None:
    doc = parse_text("id: x\nauthors:\n  - A B\n  - C D\nfindings:\n  - text: t\n", "f.yaml")
    assert doc.data == {"id": "x", "authors": ("A B", "C D"), "findings": ({"text": "t"},)}
    assert doc.position(("authors", 1)) == Position(4, 5)
    assert doc.position(("findings", 0, "text")) == Position(6, 11)
    assert doc.key_position(("authors",)) == Position(2, 1)


def test_scalars_resolve_like_yaml_but_quoted_stays_text() -> None:
    doc = parse_text('a: 2024\nb: "2024"\nc: 2406.11193\nd: 2026-11-23\ne: null\nf: "null"\n', "f")
    assert doc.data == {
        "a": 2024,
        "b": "2024",
        "c": 2406.11193,
        "d": date(2026, 11, 23),
        "e": None,
        "f": "null",
    }


def test_crlf_line_endings_read_like_lf() -> None:
    assert parse_text("a: 1\r\nb: x\r\n", "f").data == {"a": 1, "b": "x"}


def test_an_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    with pytest.raises(LoadError) as error:
        parse_text(bomb, "bomb.yaml")
    assert error.value.problem.code == "yaml-alias"


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 2_000)
    with pytest.raises(LoadError) as error:
        load_document(path, "papers/big.yaml", max_bytes=1_000)
    assert error.value.problem.render() == (
        "papers/big.yaml:1:1: error[file-too-large]: file is 2,003 bytes; the limit is 1,000\n"
        "  hint: a record is a few kilobytes; is this the right file?"
    )
