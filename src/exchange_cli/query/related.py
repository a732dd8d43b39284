"""Related programs: the rule both record sources answer by, written once.

A program's related programs are the `limit` that share the most parties and sectors
with it (one point for each party key, `source.party_keys`, and each sector), ties in
catalogue order. A party found in more than `PARTY_CANDIDATES` other programs counts only
for the first of them: so each program's list costs bounded work, and `export`, which
lists every program's, grows linearly with the catalogue (BENCHMARKS.md). A catalogue
where no party is that common gets the exact ranking.
"""

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

from exchange_cli.model import vocab

#: How many programs (other than the one asked about) one shared party can bring in.
PARTY_CANDIDATES = 50

SECTOR_BITS = {sector: 1 << i for i, sector in enumerate(vocab.SECTORS.values)}


def sector_mask(sectors: Iterable[str]) -> int:
    """A program's sectors as bits (`SECTOR_BITS`): shared sectors are a bitwise and."""
    mask = 0
    for sector in sectors:
        mask |= SECTOR_BITS[sector]
    return mask


def best_related(
    position: int,
    sharers: Iterable[Sequence[int]],
    masks: Mapping[int, int] | Sequence[int],
    levels: "Levels",
    limit: int,
) -> list[int]:
    """The `limit` most related to the program at `position`.

    `sharers` holds, for each of its party keys, the first programs having that key in
    catalogue order (at least `PARTY_CANDIDATES + 1`, or all); `masks` every program's
    sector bits; `levels` the candidate programs grouped by sectors.

    A program sharing only `level` sectors scores `level`, so only the `limit` earliest
    of each level can make the cut, and once `limit` programs score more than a level,
    no program of that level or below can.
    """
    mine = masks[position]
    shared: Counter[int] = Counter()
    for programs in sharers:
        taken = 0
        for program in programs:
            if program == position:
                continue
            shared[program] += 1
            taken += 1
            if taken == PARTY_CANDIDATES:
                break
    candidates = {p: n + (mine & masks[p]).bit_count() for p, n in shared.items()}
    scores = dict(candidates)
    for level in range(mine.bit_count(), 0, -1):
        if sum(1 for score in candidates.values() if score > level) >= limit:
            break
        taken = 0
        for program in levels.positions(mine, level):
            if program == position or program in scores:
                continue
            candidates[program] = level
            taken += 1
            if taken >= limit:
                break
    best = heapq.nsmallest(limit, candidates.items(), key=lambda item: (-item[1], item[0]))
    return [program for program, _ in best]


class Levels:
    """Programs grouped by their sectors, merged per (sectors, level) on first use and
    extended only as far as anyone reads."""

    def __init__(self, masks: Iterable[tuple[int, int]]) -> None:
        """`masks`: (position, sector bits) of every candidate, in catalogue order."""
        self.groups: dict[int, list[int]] = {}
        for program, mask in masks:
            self.groups.setdefault(mask, []).append(program)
        self.merged: dict[tuple[int, int], tuple[Iterator[int], list[int]]] = {}

    def positions(self, mine: int, level: int) -> Iterator[int]:
        """The programs sharing exactly `level` sectors with `mine`, in catalogue order."""
        key = (mine, level)
        if key not in self.merged:
            lists = [g for mask, g in self.groups.items() if (mask & mine).bit_count() == level]
            self.merged[key] = (heapq.merge(*lists), [])
        merged, seen = self.merged[key]
        index = 0
        while True:
            if index == len(seen):
                following = next(merged, None)
                if following is None:
                    return
                seen.append(following)
            yield seen[index]
            index += 1
