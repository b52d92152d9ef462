"""Scholar-style ids."""

from __future__ import annotations

import pytest

from kb.core.ids import scholar_id, unique_id


@pytest.mark.parametrize(
    ("author", "year", "title", "expected"),
    [
        ("Jiahao Huo", 2024, "MMNeuron: Discovering Neuron-Level ...", "huo2024mmneuron"),
        ("Haotian Liu", 2023, "Visual Instruction Tuning", "liu2023visual"),
        ("Lin Chen", 2024, "An Image is Worth 1/2 Tokens After Layer 2", "chen2024image"),
        (
            "Hugo Laurençon",
            2024,
            "What matters when building vision-language models?",
            "laurencon2024matters",
        ),
        (
            "Ben Melech Stan, Gabriela",
            2024,
            "LVLM-Intrepret: An Interpretability Tool",
            "benmelechstan2024lvlm",
        ),
        ("Junnan Li", 2023, "BLIP-2: Bootstrapping Language-Image Pre-training", "li2023blip"),
        ("Ivana Beňová", 2024, "Beyond Image-Text Matching", "benova2024beyond"),
    ],
)
def test_ids_follow_google_scholar(author: str, year: int, title: str, expected: str) -> None:
    assert scholar_id(author, year, title) == expected


def test_a_taken_id_gets_the_next_free_letter() -> None:
    assert unique_id("liu2023visual", set()) == "liu2023visual"
    assert unique_id("liu2023visual", {"liu2023visual", "liu2023visualb"}) == "liu2023visualc"
