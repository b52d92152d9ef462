"""The hostile-input corpus: bad records from strangers' pull requests, each with its verdict.

Every case is planted into a fresh copy of tests/fixtures/kb; `kb validate` must then exit with
`exit_code` and report `code` with a file and line, within 5 s and 500 MB. The single-mistake
cases of tests/error_cases.py are part of it; the ones here are larger or nastier.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.error_cases import CASES, record

PAPER = "papers/doe2024probing.yaml"
WARNINGS = frozenset(
    {"later-cite", "summary-length", "isolated-record", "tldr-length", "tldr-sentences"}
)


@dataclass(frozen=True)
class Hostile:
    """A file planted at `path`, the exit code and error code `kb validate` must give."""

    path: str
    content: bytes
    code: str
    exit_code: int = 1


def _billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


_PROPERTIES = (
    b"  properties: {access: white-box, scope: local, stage: post-hoc, granularity: layer}\n"
)


def _method(name: bytes, parent: bytes) -> bytes:
    head = b"- id: " + name + b"\n  name: N\n  description: D\n  extends: [" + parent + b"]\n"
    return head + _PROPERTIES + b"  strengths:\n    - S.\n  limitations:\n    - L.\n"


def _many_authors(count: int) -> str:
    return "[" + ", ".join(f"Author{i} Name" for i in range(count)) + "]"


def _block_nesting(depth: int) -> bytes:
    lines = [f"{' ' * level}k{level}:" for level in range(depth)]
    return ("\n".join(lines) + " x\n").encode()


HOSTILE: dict[str, Hostile] = {
    **{
        f"error-{name}": Hostile(
            case.path, case.content, case.code, 0 if case.code in WARNINGS else 1
        )
        for name, case in CASES.items()
    },
    "billion-laughs": Hostile(PAPER, _billion_laughs(), "yaml-alias"),
    "flow-nesting-100k": Hostile(
        PAPER, b"id: [" + b"[" * 100_000 + b"]" * 100_001 + b"\n", "too-deep"
    ),
    "compact-sequence-nesting": Hostile(PAPER, b"- " * 400_000 + b"x\n", "too-deep"),
    "block-nesting-40": Hostile(PAPER, _block_nesting(40), "too-deep"),
    "ten-megabytes": Hostile(PAPER, b"title: " + b"x" * 10_000_000 + b"\n", "file-too-large"),
    "one-megabyte-line": Hostile(PAPER, record(summary="x" * 900_000).encode(), "too-long"),
    "nul-byte": Hostile(PAPER, record().encode().replace(b"Jane", b"Ja\x00ne"), "control-char"),
    "escaped-nul": Hostile(PAPER, record(title='"Probing\\x00Layers"').encode(), "control-char"),
    "escaped-bidi": Hostile(
        PAPER, record(title='"Probing \\u202eLayers"').encode(), "control-char"
    ),
    "bidi-isolate": Hostile(PAPER, record(title='"Probing \u2066Layers"').encode(), "control-char"),
    "escaped-noncharacter": Hostile(
        PAPER, record(title='"Probing\\uFFFELayers"').encode(), "control-char"
    ),
    "escape-char": Hostile(PAPER, record(title='"\x1b[31mred"').encode(), "control-char"),
    "lone-surrogate-escape": Hostile(PAPER, record(title='"\\ud800"').encode(), "yaml-syntax"),
    "invalid-utf8-overlong": Hostile(
        PAPER, record().encode().replace(b"Jane", b"J\xc0\xafne"), "not-utf8"
    ),
    "utf16-file": Hostile(PAPER, record().encode("utf-16"), "not-utf8"),
    "empty-file": Hostile(PAPER, b"", "not-a-mapping"),
    "only-a-comment": Hostile(PAPER, b"# nothing here\n", "not-a-mapping"),
    "scalar-top-level": Hostile(PAPER, b"just a string\n", "not-a-mapping"),
    "python-object-tag": Hostile(
        PAPER, record(title="!!python/object/new:os.system [echo pwned]").encode(), "yaml-tag"
    ),
    "python-name-tag": Hostile(PAPER, record(title="!!python/name:os.system").encode(), "yaml-tag"),
    "binary-tag": Hostile(PAPER, record(title="!!binary aGVsbG8=").encode(), "yaml-tag"),
    "set-tag": Hostile(PAPER, record(cites="!!set {a, b}").encode(), "yaml-tag"),
    "custom-tag": Hostile(PAPER, record(title="!include /etc/passwd").encode(), "yaml-tag"),
    "merge-key": Hostile(PAPER, (record() + "<<: {year: 2020}\n").encode(), "bad-key"),
    "unterminated-flow": Hostile(PAPER, record(authors="[Jane Doe, John").encode(), "yaml-syntax"),
    "unterminated-single-quote": Hostile(PAPER, record(title="'Probing").encode(), "yaml-syntax"),
    "tab-indentation": Hostile(
        PAPER, b"id: doe2024probing\nfindings:\n\t- text: x\n", "yaml-syntax"
    ),
    "float-arxiv": Hostile(PAPER, record(arxiv="2406.00001").encode(), "wrong-type"),
    "int-arxiv": Hostile(PAPER, record(arxiv="1234").encode(), "wrong-type"),
    "string-year": Hostile(PAPER, record(year="'2024'").encode(), "wrong-type"),
    "float-year": Hostile(PAPER, record(year="2024.0").encode(), "wrong-type"),
    "bool-year": Hostile(PAPER, record(year="yes").encode(), "wrong-type"),
    "mapping-title": Hostile(PAPER, record(title="{a: b}").encode(), "wrong-type"),
    "null-title": Hostile(PAPER, record(title="null").encode(), "wrong-type"),
    "list-summary": Hostile(PAPER, record(summary="[a, b]").encode(), "wrong-type"),
    "string-cites": Hostile(PAPER, record(cites="belrose2023eliciting").encode(), "wrong-type"),
    "path-id": Hostile(PAPER, record(id="papers/doe2024probing").encode(), "bad-id"),
    "absolute-path-id": Hostile(PAPER, record(id="/etc/passwd").encode(), "bad-id"),
    "uppercase-id": Hostile(PAPER, record(id="Doe2024Probing").encode(), "bad-id"),
    "greek-lookalike-id": Hostile(PAPER, record(id="doe2024pr\u03bfbing").encode(), "bad-id"),
    "javascript-url": Hostile(PAPER, record(url="javascript:alert(1)").encode(), "bad-url"),
    "data-url-source": Hostile(
        PAPER, record(sources="['data:text/html,<script>alert(1)</script>']").encode(), "bad-url"
    ),
    "file-url-code": Hostile(PAPER, record(code="file:///etc/passwd").encode(), "bad-url"),
    "whitespace-only-summary": Hostile(PAPER, record(summary='"   "').encode(), "empty-value"),
    "empty-sources": Hostile(PAPER, record(sources="[]").encode(), "empty-value"),
    "year-far-future": Hostile(PAPER, record(year="3024").encode(), "bad-year"),
    "record-cites-missing": Hostile(
        PAPER, record(cites="[nobody2024nothing]").encode(), "missing-cite"
    ),
    "huge-author-list": Hostile(PAPER, record(authors=_many_authors(20_000)).encode(), "too-long"),
    "method-lineage-cycle": Hostile(
        "taxonomy/methods.yaml",
        _method(b"a", b"b") + _method(b"b", b"a"),
        "extends-cycle",
    ),
}
