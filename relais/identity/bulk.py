"""Bulk deduplication (SIAO-03): every likely pair in a set of identities, on several cores.

Identities that share a blocking key form a block; each pair is scored once, in the block of
the first key the two share, so no global set of pairs is ever held in memory and blocks can
be spread over processes.
"""

import multiprocessing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .matching import Identity, blocking_keys, compare

# A key shared by more identities than this says little (a very common name with a common
# birth year) and would cost MAX_BLOCK² comparisons: it is skipped, the other keys remain.
MAX_BLOCK = 2000


@dataclass(frozen=True, slots=True)
class FoundPair:
    a: int
    b: int
    score: float
    decision: str
    reasons: str


class _Blocks:
    def __init__(self, identities: Mapping[int, Identity]):
        by_key: dict[str, list[int]] = {}
        for ident, identity in identities.items():
            for key in blocking_keys(identity):
                by_key.setdefault(key, []).append(ident)
        self.identities = identities
        self.blocks = [sorted(m) for m in by_key.values() if 2 <= len(m) <= MAX_BLOCK]
        self.skipped = sum(1 for m in by_key.values() if len(m) > MAX_BLOCK)
        keys_of: dict[int, list[int]] = {}
        for block_id, members in enumerate(self.blocks):
            for ident in members:
                keys_of.setdefault(ident, []).append(block_id)
        self.keys_of = keys_of

    def pairs(self, shard: int = 0, shards: int = 1) -> Iterator[tuple[int, int]]:
        """Each candidate pair once: in the first block its two identities share."""
        keys_of = self.keys_of
        for block_id in range(shard, len(self.blocks), shards):
            members = self.blocks[block_id]
            for x, a in enumerate(members):
                keys_a = keys_of[a]
                for b in members[x + 1 :]:
                    if keys_a[0] != block_id:
                        keys_b = keys_of[b]
                        if any(k in keys_b for k in keys_a if k < block_id):
                            continue
                    yield a, b

    def score(self, shard: int = 0, shards: int = 1) -> list[FoundPair]:
        identities, found = self.identities, []
        for a, b in self.pairs(shard, shards):
            comparison = compare(identities[a], identities[b])
            decision = comparison.decision
            if decision:
                found.append(FoundPair(a, b, comparison.score, decision, comparison.reasons))
        return found


_SHARED: _Blocks | None = None


def _score_shard(args: tuple[int, int]) -> list[FoundPair]:
    return _SHARED.score(*args)


def candidate_pairs(identities: Mapping[int, Identity]) -> set[tuple[int, int]]:
    """The pairs that would be scored (for tests and diagnostics)."""
    return set(_Blocks(identities).pairs())


def find_pairs(identities: Mapping[int, Identity], *, workers: int = 1) -> list[FoundPair]:
    """Every pair scoring at least REVIEW, (a, b) with a < b, sorted by a then b.

    With workers > 1 the blocks are scored in forked processes that share the identities
    (copy-on-write), so only the found pairs travel back.
    """
    global _SHARED
    blocks = _Blocks(identities)
    if workers <= 1:
        found = blocks.score()
    else:
        _SHARED = blocks
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                shards = [(i, workers * 8) for i in range(workers * 8)]
                found = [p for part in pool.imap_unordered(_score_shard, shards) for p in part]
        finally:
            _SHARED = None
    found.sort(key=lambda p: (p.a, p.b))
    return found
