"""One bad input per error code: the file to plant in the fixture KB and what it holds.

Each case is applied to a fresh copy of tests/fixtures/kb; `kb validate` must then report the
code, and its exact output is the golden file tests/golden/errors/<name>.txt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FIXTURE_RECORD = Path(__file__).parent / "fixtures" / "kb" / "papers" / "doe2024probing.yaml"


def record(**replace: str) -> str:
    """The valid fixture record text with some `key: value` lines replaced (value None drops)."""
    lines = FIXTURE_RECORD.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    pending = dict(replace)
    skipping = False
    for line in lines:
        if line.startswith(" ") and skipping:
            continue  # the rest of a replaced multi-line value
        key = line.split(":", 1)[0]
        skipping = key in pending and not line.startswith(" ")
        if skipping:
            value = pending.pop(key)
            if value:
                out.append(f"{key}: {value}")
            continue
        out.append(line)
    out += [f"{key}: {value}" for key, value in pending.items()]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Case:
    """A file planted at `path` (relative to the KB root) expected to give error `code`."""

    code: str
    path: str
    content: bytes


def _r(error: str, /, **replace: str) -> Case:
    return Case(error, "papers/doe2024probing.yaml", record(**replace).encode())


def _raw(code: str, content: str | bytes, path: str = "papers/doe2024probing.yaml") -> Case:
    return Case(code, path, content.encode() if isinstance(content, str) else content)


def _with_taxonomy(code: str, file: str, extra: str) -> Case:
    base = (Path(__file__).parent / "fixtures" / "kb" / "taxonomy" / file).read_text()
    return Case(code, f"taxonomy/{file}", (base + extra).encode())


def _results(**replace: str | None) -> str:
    """One result of the fixture benchmark as a flow mapping, with fields replaced (None drops)."""
    fields: dict[str, str | None] = {
        "benchmark": "fixture-bench",
        "metric": "accuracy",
        "model": "llava",
        "value": "85.5",
        "where": "Table 2",
    }
    fields.update(replace)
    return "[{" + ", ".join(f"{k}: {v}" for k, v in fields.items() if v is not None) + "}]"


def _relations(*links: tuple[str, str]) -> str:
    """Relations (type, target) as a flow list, each with a short note."""
    return (
        "["
        + ", ".join(f"{{type: {kind}, target: {target}, note: N.}}" for kind, target in links)
        + "]"
    )


CASES: dict[str, Case] = {
    # loading
    "file-too-large": _raw("file-too-large", record() + "#" * 1_000_001),
    "bom": _raw("bom", b"\xef\xbb\xbf" + record().encode()),
    "not-utf8": _raw("not-utf8", record().encode().replace(b"Jane", b"J\xe9ne")),
    "control-char": _raw("control-char", record(title='"Probing\x07 Layers"')),
    "bidi-char": _raw("control-char", record(title='"Probing \u202eLayers"')),
    "yaml-syntax": _raw("yaml-syntax", record(title='"Probing Layers')),
    "yaml-syntax-tab": _raw("yaml-syntax", record().replace("  - text:", "\t- text:", 1)),
    "yaml-alias": _raw("yaml-alias", record(title="&t Probing", summary="*t")),
    "yaml-tag": _raw("yaml-tag", record(title="!!python/object/apply:os.system [ls]")),
    "too-deep": _raw("too-deep", record(cites="[" * 20 + "]" * 20)),
    "duplicate-key": _raw("duplicate-key", record() + "year: 2025\n"),
    "multiple-documents": _raw("multiple-documents", record() + "---\nid: x\n"),
    "bad-key": _raw("bad-key", record() + "[a, b]: c\n"),
    "stray-file": _raw("stray-file", record(), "papers/doe2024probing.yml"),
    # record schema
    "not-a-mapping": _raw("not-a-mapping", "- id: doe2024probing\n- title: x\n"),
    "missing-field": _r("missing-field", title=""),
    "unknown-field": _r("unknown-field", yaer="2024"),
    "wrong-type-arxiv": _r("wrong-type", arxiv="2406.00001"),
    "wrong-type-year": _r("wrong-type", year='"2024"'),
    "wrong-type-authors": _r("wrong-type", authors="Jane Doe"),
    "empty-value": _r("empty-value", title='""'),
    "empty-list": _r("empty-value", authors="[]"),
    "stray-whitespace": _r("stray-whitespace", title='" Probing Layers"'),
    "bad-id": _r("bad-id", id='"../etc/passwd"'),
    "bad-id-cyrillic": _r("bad-id", id="doe2024pr\u043ebing"),  # a Cyrillic o
    "id-mismatch": _r("id-mismatch", id="doe2024other"),
    "bad-arxiv": _r("bad-arxiv", arxiv='"2406.1"'),
    "bad-arxiv-version": _r("bad-arxiv", arxiv='"2406.00001v2"'),
    "bad-year": _r("bad-year", year="1850"),
    "bad-url": _r("bad-url", code="javascript:alert(1)"),
    "bad-doi": _r("bad-doi", doi="https://doi.org/10.1/x"),
    "unknown-leaf": _r("unknown-leaf", taxonomy="[model.nueron]"),
    "unknown-leaf-grouping": _r("unknown-leaf", taxonomy="[model]"),
    "unknown-method": _r("unknown-method", methods="[logit-lense]"),
    "unknown-modality": _r("unknown-modality", modalities="[imge]"),
    "unknown-model": _r("unknown-model", models="[lava]"),
    "unknown-venue": _r("unknown-venue", venue="neurip"),
    "bad-value": _r("bad-value", kind="tutorial"),
    "duplicate-value": _r("duplicate-value", modalities="[image, image]"),
    "too-long": _r("too-long", title="x" * 10_001),
    # knowledge-base checks
    "duplicate-arxiv": _r("duplicate-arxiv", arxiv='"2303.08112"'),
    "duplicate-id": _r("duplicate-id", aliases="[belrose2023eliciting]"),
    "missing-cite": _r("missing-cite", cites="[belrose2023elicitin]"),
    "self-cite": _r("self-cite", cites="[doe2024probing]"),
    "later-cite": _r("later-cite", year="2022"),
    "summary-length": _r("summary-length", summary="Too short."),
    "isolated-record": _r("isolated-record", cites=""),
    # comparable evidence
    "tldr-opener": _r("tldr-opener", tldr="It decodes image tokens with a logit lens."),
    "tldr-length": _r("tldr-length", tldr="Logit lens on image tokens, " + "word " * 40 + "end."),
    "tldr-sentences": _r(
        "tldr-sentences", tldr="Logit lens on image tokens. Objects show up mid-depth."
    ),
    "unknown-property": _r("unknown-property", properties="{trainig-free: true}"),
    "bad-answer": _r("bad-answer", properties="{compute-cost: medium}"),
    "bad-answer-yes-no": _r("bad-answer", properties="{training-free: sometimes}"),
    "bad-answer-type": _r("wrong-type", properties="{training-free: 3}"),
    "unknown-benchmark": _r("unknown-benchmark", results=_results(benchmark="fixture-bnch")),
    "unknown-metric": _r("unknown-metric", results=_results(metric="acc")),
    "unknown-model-result": _r("unknown-model", results=_results(model="lava")),
    "value-out-of-range": _r("value-out-of-range", results=_results(value="0.855", baseline="101")),
    "bad-number": _r("bad-number", results=_results(value=".nan")),
    "result-without-where": _r("missing-field", results=_results(where=None)),
    "bad-relation-type": _r(
        "bad-value", relations=_relations(("supports", "belrose2023eliciting"))
    ),
    "self-relation": _r("self-relation", relations=_relations(("extends", "doe2024probing"))),
    "duplicate-relation": _r(
        "duplicate-relation",
        relations=_relations(
            ("extends", "belrose2023eliciting"), ("extends", "belrose2023eliciting")
        ),
    ),
    "unknown-relation-target": _r(
        "unknown-relation-target", relations=_relations(("extends", "belrose2023elicitin"))
    ),
    "flow-list": _r("flow-list", strengths="[Gives direct, readable maps., Cheap.]"),
    # vocabularies
    "flow-list-in-methods": _with_taxonomy(
        "flow-list",
        "methods.yaml",
        "- id: lens\n  name: L\n  description: D\n"
        "  properties: {access: white-box, scope: local, stage: post-hoc, granularity: layer}\n"
        "  strengths: [Gives direct, readable maps.]\n  limitations:\n    - L.\n",
    ),
    "unknown-parent": _with_taxonomy(
        "unknown-parent",
        "perspectives.yaml",
        "- {id: x.y, parent: modle, name: X, description: Y}\n",
    ),
    "unknown-method-extends": _with_taxonomy(
        "unknown-method",
        "methods.yaml",
        "- id: lens\n  name: L\n  description: D\n  extends: [logit-lenz]\n"
        "  properties: {access: white-box, scope: local, stage: post-hoc, granularity: layer}\n"
        "  strengths:\n    - S.\n  limitations:\n    - L.\n",
    ),
    "extends-cycle": _with_taxonomy(
        "extends-cycle",
        "methods.yaml",
        "- id: ring\n  name: R\n  description: D\n  extends: [ring]\n"
        "  properties: {access: white-box, scope: local, stage: post-hoc, granularity: layer}\n"
        "  strengths:\n    - S.\n  limitations:\n    - L.\n",
    ),
    "duplicate-vocabulary-id": _with_taxonomy(
        "duplicate-id", "modalities.yaml", "- {id: image, name: Image, description: Again.}\n"
    ),
    "not-a-list": _raw("not-a-list", "id: image\n", "taxonomy/modalities.yaml"),
    "benchmark-introduced-by-unknown": _with_taxonomy(
        "unknown-record",
        "benchmarks.yaml",
        "- id: other\n  name: O\n  description: D\n  introduced_by: doe2024probin\n"
        "  metrics: [{id: score, name: Score, direction: higher}]\n",
    ),
    "overview-cites-unknown-record": _with_taxonomy(
        "unknown-record",
        "perspectives.yaml",
        "- id: model.extra\n  name: Extra\n  parent: model\n  description: D.\n"
        "  overview: Lenses read layers [@belrose2023eliciting; @doe2024probng].\n",
    ),
    # the screening log
    "screening-unknown-record": _with_taxonomy(
        "unknown-record",
        "screening.yaml",
        "- id: lists\n  name: L\n  candidates:\n"
        "    - {title: T, decision: included, record: belrose2023elicitng}\n",
    ),
    "screening-missing-reason": _with_taxonomy(
        "missing-reason",
        "screening.yaml",
        "- id: lists\n  name: L\n  candidates:\n"
        "    - {title: T, decision: excluded, note: Not about models.}\n",
    ),
    "screening-bad-reason": _with_taxonomy(
        "bad-value",
        "screening.yaml",
        "- id: lists\n  name: L\n  candidates:\n"
        "    - {title: T, decision: excluded, reason: boring, note: N.}\n",
    ),
    "screening-missing-record": _with_taxonomy(
        "missing-record",
        "screening.yaml",
        "- id: lists\n  name: L\n  candidates:\n    - {title: T, decision: included}\n",
    ),
    "screening-duplicate-without-record": _with_taxonomy(
        "missing-record",
        "screening.yaml",
        "- id: lists\n  name: L\n  candidates:\n"
        "    - {title: T, decision: excluded, reason: duplicate, note: Same paper.}\n",
    ),
    "screening-stray-reason": _with_taxonomy(
        "stray-reason",
        "screening.yaml",
        "- id: lists\n  name: L\n  candidates:\n"
        "    - {title: T, decision: deferred, reason: out-of-scope, note: Later.}\n",
    ),
    "screening-missing-note": _with_taxonomy(
        "missing-note",
        "screening.yaml",
        "- id: lists\n  name: L\n  candidates:\n    - {title: T, decision: deferred}\n",
    ),
}
