"""Candidate pairs of near-identical titles for `kb dedupe`, found without comparing every pair.

Each title is put in the blocks of its three rarest words (prefix filtering: the words are
ordered by how few titles use them) and only titles sharing a block are scored. Two titles that
differ in at most two words on each side share a block, since the rarest word they have in
common is among the three rarest of both. Words used by more than `BLOCK_LIMIT` titles make no
block (it would cost the square of its size); titles are also scored against their `WINDOW`
neighbours in two sort orders (as written, and by sorted words), which catches near-identical
titles made only of common words.

Before rapidfuzz scores a candidate pair, numpy dismisses every pair whose character counts
differ by more than its cutoff allows (`Titles`): that difference is a lower bound of the Indel
distance `fuzz.ratio` is made of, so the pairs found are exactly those that scoring every
candidate finds, at a fraction of the cost. The scoring itself, and the thresholds, are in
`kb.contrib.dedupe`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, count
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "BLOCK_LIMIT",
    "PREFIX_WORDS",
    "SLICE",
    "WINDOW",
    "Indices",
    "Titles",
    "block_pairs",
    "neighbour_pairs",
]

PREFIX_WORDS = 3
BLOCK_LIMIT = 500
WINDOW = 8
# NOTE: title prefilter (`Titles`): character bins, and the slice of titles or pairs (or cells)
# handled at once, which bounds the memory of numpy's temporaries to a few megabytes each.
_BINS = 40
_CHAR_BINS = np.array(
    [
        ord(char) - ord("a")
        if "a" <= char <= "z"
        else 26 + ord(char) - ord("0")
        if "0" <= char <= "9"
        else 36
        if char == " "
        else 37
        for char in map(chr, range(128))
    ],
    dtype=np.int32,
)
SLICE = 1 << 16

Indices = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Titles:
    """Distinct titles, and what dismissing a pair without scoring it needs: lengths and
    character histograms.

    `fuzz.ratio` is 100 * (1 - d / (length + length)) with d the Indel distance, and d is at
    least the L1 distance of the two titles' character counts, since an insertion or deletion
    changes one count by one; that stays true when characters share bins and counts saturate.
    A pair whose histograms differ by more than its score allows is dismissed unscored: numpy
    does that for millions of pairs in the time rapidfuzz scores a few hundred thousand.
    """

    text: list[str]
    lengths: Indices
    histograms: npt.NDArray[np.uint8]

    @classmethod
    def of(cls, titles: list[str]) -> Titles:
        """`titles` with their lengths and histograms, computed in slices to bound memory."""
        lengths = np.fromiter(map(len, titles), dtype=np.int64, count=len(titles))
        parts = [np.zeros((0, _BINS), dtype=np.uint8)]
        for start in range(0, len(titles), SLICE):
            end = start + SLICE
            parts.append(_histograms(titles[start:end], lengths[start:end]))
        return cls(titles, lengths, np.concatenate(parts))

    def may_score(self, first: Indices, second: Indices, cutoff: float) -> Indices:
        """Positions i at which titles first[i] and second[i] may score at least `cutoff`."""
        kept = [np.zeros(0, dtype=np.int64)]
        for start in range(0, len(first), SLICE):
            rows, columns = first[start : start + SLICE], second[start : start + SLICE]
            allowed, difference = _allowed(self.lengths[rows], self.lengths[columns], cutoff)
            near = np.flatnonzero(difference <= allowed)
            distance = _distance(self.histograms[rows[near]], self.histograms[columns[near]])
            kept.append(near[distance <= allowed[near]] + start)
        return np.concatenate(kept)

    def may_score_cells(
        self, rows: Indices, columns: Indices, cutoff: float
    ) -> tuple[Indices, Indices]:
        """Cells (row and column positions) of the `rows` x `columns` matrix whose titles may
        score at least `cutoff`; a bin at a time over the whole matrix, which numpy does fastest.
        """
        allowed, _ = _allowed(self.lengths[rows, None], self.lengths[None, columns], cutoff)
        row_counts = self.histograms[rows].T.astype(np.int16)
        column_counts = self.histograms[columns].T.astype(np.int16)
        # NOTE: bins no title here uses add nothing (titles use a few dozen characters).
        used = np.flatnonzero(row_counts.any(axis=1) | column_counts.any(axis=1))
        distance = np.zeros(allowed.shape, dtype=np.int16)
        for column in used.tolist():
            distance += np.abs(row_counts[column, :, None] - column_counts[column, None, :])
        found = np.nonzero(distance <= allowed)
        return found[0], found[1]


def _allowed(first: Indices, second: Indices, cutoff: float) -> tuple[Any, Any]:
    """The largest Indel distance at which titles of these lengths may still score `cutoff`
    (plus one, slack for rapidfuzz's floating-point comparison), and their length difference,
    which is at most the distance."""
    return (first + second) * ((100.0 - cutoff) / 100.0) + 1.0, np.abs(first - second)


def _histograms(titles: list[str], lengths: Indices) -> npt.NDArray[np.uint8]:
    """Each title's count of each character bin (`_CHAR_BINS`), at most 255."""
    joined = "".join(titles)
    if joined.isascii():
        bins = _CHAR_BINS[np.frombuffer(joined.encode("ascii"), dtype=np.uint8)]
    else:
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
        bins = np.where(codes < 128, _CHAR_BINS[np.minimum(codes, 127)], _BINS - 1 - codes % 2)
    # NOTE: int32 (a slice holds at most `SLICE` titles): half the memory traffic of int64.
    cells = np.repeat(np.arange(0, len(titles) * _BINS, _BINS, dtype=np.int32), lengths)
    cells += bins
    counts = np.bincount(cells, minlength=len(titles) * _BINS)
    return np.minimum(counts, 255).astype(np.uint8).reshape(len(titles), _BINS)


def _distance(first: npt.NDArray[np.uint8], second: npt.NDArray[np.uint8]) -> Any:
    """Row-wise L1 distance of two arrays of histograms."""
    return (np.maximum(first, second) - np.minimum(first, second)).sum(axis=1, dtype=np.int64)


def _prefix_blocks(split: Sequence[list[str]]) -> tuple[Indices, Indices]:
    """Blocks of titles sharing a word among their `PREFIX_WORDS` rarest distinct words (ties
    by the word itself), as the titles (positions, ascending within a block) block after block,
    and each block's size; words used by more than `BLOCK_LIMIT` titles make no block: such a
    block would cost a square of that.

    NOTE: with numpy on (title, word rank) pairs: in Python, sorting each title's words was most
    of the blocking time.
    """
    titles = len(split) + 1
    owners, ranks, limit = _ranked_words(split)
    place = np.arange(len(ranks)) - np.searchsorted(owners, owners)
    keep = (place < PREFIX_WORDS) & (ranks < limit)
    block_words, members = np.divmod(np.sort(ranks[keep] * titles + owners[keep]), titles)
    starts = np.flatnonzero(np.r_[True, block_words[1:] != block_words[:-1]])
    return members, np.diff(np.r_[starts, len(members)])


def _ranked_words(split: Sequence[list[str]]) -> tuple[Indices, Indices, int]:
    """Each title's distinct words as (title, rank) pairs sorted by title, then rank: the rank
    orders words by how many titles use them, then by the word. And how many words are used by
    at most `BLOCK_LIMIT` titles (the ranks below that)."""
    counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    ids: dict[str, int] = {}
    words = np.fromiter(
        map(ids.setdefault, chain.from_iterable(split), count()),
        dtype=np.int64,
        count=int(counts.sum()),
    )
    span = len(words) + 1
    owners = np.repeat(np.arange(len(split), dtype=np.int64), counts)
    owners, words = np.divmod(_distinct(owners * span + words), span)
    first_ids = np.fromiter(ids.values(), dtype=np.int64, count=len(ids))
    used = np.bincount(words, minlength=span)[first_ids].tolist()
    vocabulary = list(ids)
    order = sorted(range(len(vocabulary)), key=lambda word: (used[word], vocabulary[word]))
    rank = np.zeros(span, dtype=np.int64)
    rank[first_ids[order]] = np.arange(len(order))
    size = len(order) + 1
    owners, ranks = np.divmod(np.sort(owners * size + rank[words]), size)
    return owners, ranks, sum(1 for uses in used if uses <= BLOCK_LIMIT)


def _distinct(values: Indices) -> Indices:
    """`values` sorted, each once (`np.unique` hashes, several times slower on a million)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def block_pairs(split: Sequence[list[str]]) -> Iterator[tuple[Indices, Indices]]:
    """Every pair (first < second) inside each block of `_prefix_blocks`, a few hundred
    thousand at a time, the blocks of one size together."""
    members, sizes = _prefix_blocks(split)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    for size in _distinct(sizes[sizes > 1]).tolist():
        upper, lower = np.triu_indices(size, 1)
        offsets = starts[sizes == size]
        step = max(1, SLICE // len(upper))
        for first in range(0, len(offsets), step):
            block = members[offsets[first : first + step, None] + np.arange(size)]
            yield block[:, upper].ravel(), block[:, lower].ravel()


def neighbour_pairs(
    titles: list[str], split: Sequence[list[str]]
) -> Iterator[tuple[Indices, Indices]]:
    """Titles next to each other (within `WINDOW`) when sorted as written and when sorted by
    their sorted words."""
    by_words = [" ".join(sorted(words)) for words in split]
    for keys in (titles, by_words):
        order = np.array(sorted(range(len(titles)), key=keys.__getitem__), dtype=np.int64)
        for step in range(1, min(WINDOW, len(order) - 1) + 1):
            yield order[:-step], order[step:]
