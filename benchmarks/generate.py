"""Write a synthetic knowledge base of N valid records, as large as real ones.

Usage (from the repository root): ``python -m benchmarks.generate --records N --out DIR``.
DIR gets ``papers/`` and a copy of ``taxonomy/``, so ``kb --root DIR validate`` runs there.
Records reuse the real vocabularies, draw field sizes from the real records, and cite earlier
records with a heavy-tailed (Zipf-like) preference, as real citation graphs do.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import yaml

from kb.core.fmt import format_paper
from kb.core.load import load_document
from kb.core.pipeline import load_knowledge_base
from kb.core.records import Paper, paper_model

__all__ = ["generate"]

REPO = Path(__file__).resolve().parent.parent
WORDS = (
    "vision language model token layer neuron attention head probe patch image text visual "
    "hallucination grounding causal tracing logit lens sparse feature concept representation "
    "decoding preference alignment benchmark object relation attribute reasoning explanation "
    "faithful saliency gradient perturbation circuit encoder projector connector embedding"
).split()


SYLLABLES = "ka lo mi nu pe ra si to vu xe ban cor dil fen gar hul jin kes lum mor".split()


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Domain words plus made-up ones, so titles differ as much as real titles do."""
    made_up = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)
    }
    return WORDS + sorted(made_up)


def _sentence(rng: random.Random, words: int, vocabulary: list[str] | None = None) -> str:
    # NOTE: Zipf-like word choice (index ~ U^2): a few words are common, most are rare.
    pool = vocabulary or WORDS
    text = " ".join(pool[int(len(pool) * rng.random() ** 2)] for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _variant(rng: random.Random, title: str, kind: int) -> str:
    """A near-duplicate title, as a second record of the same paper would write it."""
    words = title.rstrip(".").split()
    if kind == 0:
        return title.upper()
    if kind == 1:
        return title.rstrip(".").replace(" ", ": ", 1)
    if kind == 2:
        i = rng.randrange(len(words))
        word = words[i]
        j = rng.randrange(len(word))
        words[i] = word[:j] + rng.choice("aeiou") + word[j + 1 :]
        return " ".join(words)
    if kind == 3 and len(words) <= 4:
        return title.rstrip(".").replace(" ", ": ", 1)
    if kind == 3:
        # NOTE: versions of a paper drop short words ("a", "for", "via"), not the long ones.
        shortest = min(range(1, len(words)), key=lambda i: (len(words[i]), i))
        del words[shortest]
        return " ".join(words)
    # The arXiv version of a published paper: one word of the title differs.
    words[rng.randrange(1, len(words))] = rng.choice(WORDS)
    return " ".join(words)


def generate(records: int, out: Path, seed: int = 7, duplicates: int = 0) -> None:
    """Write `records` synthetic records plus the real taxonomy into `out`.

    With `duplicates`, that many extra records repeat an existing record under a new id with a
    near-identical title (case, punctuation, a typo, a dropped word, an "extended" published
    version); the pairs are listed in out/planted.json for measuring recall.
    """
    real = load_knowledge_base(REPO).kb
    model = paper_model(real.taxonomy)
    samples = list(real.papers.values())
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(REPO / "taxonomy", out / "taxonomy")
    _without_real_records(out / "taxonomy")
    (out / "papers").mkdir(parents=True)
    for index in range(records):
        like = rng.choice(samples)
        record_id = f"synth{index:07d}x"
        cites = (
            sorted(
                {f"synth{int(index * rng.random() ** 3):07d}x" for _ in range(rng.randint(0, 8))}
                - {record_id}
            )
            if index
            else []
        )
        data = like.model_dump()
        earlier = [f"synth{int(index * rng.random() ** 2):07d}x" for _ in like.relations]
        data.update(
            tldr=_sentence(rng, len(like.tldr.split())) if like.tldr else None,
            relations=tuple(
                {"type": relation.type, "target": target, "note": _sentence(rng, 12)}
                for relation, target in zip(like.relations, earlier, strict=True)
                if index and target != record_id
            )[:1],
            id=record_id,
            title=_sentence(rng, max(4, len(like.title.split())), vocabulary),
            summary=_sentence(rng, len(like.summary.split())),
            findings=tuple(
                {"text": _sentence(rng, len(f.text.split())), "where": f.where}
                for f in like.findings
            ),
            strengths=tuple(_sentence(rng, len(s.split())) for s in like.strengths),
            limitations=tuple(_sentence(rng, len(s.split())) for s in like.limitations),
            arxiv=f"{rng.randint(15, 25):02d}{rng.randint(1, 12):02d}.{index:05d}",
            doi=None,
            cites=tuple(cites),
            aliases=(),
            year=2000 + int(str(rng.randint(15, 25))),
        )
        # NOTE: cited records get an earlier or equal year so that no later-cite warning fires.
        data["year"] = 2015 + min(10, index * 10 // max(records, 1))
        paper = model.model_validate(data)
        (out / "papers" / f"{record_id}.yaml").write_text(format_paper(paper), encoding="utf-8")
    _plant(out, rng, model, records, duplicates)


def _without_real_records(taxonomy: Path) -> None:
    """The real vocabularies minus what names real records: introduced_by, the curated
    overviews' citations, the screening log and the survey's own text."""
    for name in ("methods", "benchmarks"):
        path = taxonomy / f"{name}.yaml"
        kept = [line for line in path.read_text().splitlines() if "introduced_by:" not in line]
        path.write_text("\n".join(kept) + "\n")
    for name in ("screening", "survey"):
        (taxonomy / f"{name}.yaml").unlink(missing_ok=True)
    perspectives = taxonomy / "perspectives.yaml"
    nodes = yaml.safe_load(perspectives.read_text())
    for node in nodes:
        node.pop("overview", None)
    perspectives.write_text(yaml.safe_dump(nodes, sort_keys=False, allow_unicode=True, width=100))


def _plant(out: Path, rng: random.Random, model: type[Paper], records: int, count: int) -> None:
    planted: list[tuple[str, str]] = []
    for number, index in enumerate(rng.sample(range(records), min(count, records))):
        original_id = f"synth{index:07d}x"
        original = model.model_validate(
            load_document(out / "papers" / f"{original_id}.yaml", original_id).data
        )
        twin_id = f"synth{index:07d}d"
        # NOTE: a preprint twin only makes sense for a published record.
        kind = number % 5 if number % 5 != 4 or original.venue != "arxiv" else 0
        update: dict[str, object] = {
            "id": twin_id,
            "title": _variant(rng, original.title, kind),
            "arxiv": None,
            "cites": (),
        }
        if kind == 4:  # the preprint of a published record: a year earlier, on arXiv
            update |= {"venue": "arxiv", "year": original.year - 1}
        twin = original.model_copy(update=update)
        (out / "papers" / f"{twin_id}.yaml").write_text(format_paper(twin), encoding="utf-8")
        planted.append((original_id, twin_id))
    (out / "planted.json").write_text(json.dumps(planted) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--duplicates", type=int, default=0, help="near-duplicates to plant")
    args = parser.parse_args()
    generate(args.records, args.out, args.seed, args.duplicates)


if __name__ == "__main__":
    main()
