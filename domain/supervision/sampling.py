"""Reproducible, stratified, risk-weighted sampling of households for an inspection plan."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A household that may be drawn: its stratum (commune) and risk weight (> 0)."""

    household_id: str
    code: str | None
    stratum: str
    weight: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drawn:
    """A drawn household and its position in the plan."""

    position: int
    candidate: Candidate


def allocate(sizes: Mapping[str, int], weights: Mapping[str, float], n: int) -> dict[str, int]:
    """How many to draw from each stratum: at least one from each non-empty stratum when ``n``
    allows it, the rest in proportion to the strata's total risk weight (largest remainders,
    ties by stratum code), never more than a stratum holds."""
    strata = sorted(k for k, size in sizes.items() if size > 0)
    total = sum(sizes[k] for k in strata)
    if n >= total:
        return {k: sizes[k] for k in strata}
    quota = dict.fromkeys(strata, 0)
    if n >= len(strata):
        for k in strata:
            quota[k] = 1
    remaining = n - sum(quota.values())
    while remaining > 0:
        open_ = [k for k in strata if quota[k] < sizes[k]]
        mass = sum(weights[k] for k in open_)
        shares = {k: remaining * (weights[k] / mass if mass > 0 else 1 / len(open_)) for k in open_}
        given = 0
        for k in open_:
            add = min(math.floor(shares[k]), sizes[k] - quota[k])
            quota[k] += add
            given += add
        left = remaining - given
        for k in sorted(open_, key=lambda k: (-(shares[k] - math.floor(shares[k])), k)):
            if left == 0:
                break
            if quota[k] < sizes[k]:
                quota[k] += 1
                left -= 1
        remaining = n - sum(quota.values())
    return quota


def stratified_sample(candidates: Sequence[Candidate], n: int, seed: int) -> list[Drawn]:
    """A reproducible sample of ``n`` candidates: strata allocated by :func:`allocate`, then
    weighted sampling without replacement inside each stratum (Efraimidis-Spirakis keys
    u^(1/w) from a generator seeded by ``seed`` and the stratum). The result depends only on the
    candidates (in any order), ``n`` and ``seed``."""
    if n < 0:
        raise ValueError("the sample size must not be negative")
    if any(c.weight <= 0 for c in candidates):
        raise ValueError("weights must be positive")
    by_stratum: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: c.household_id):
        by_stratum.setdefault(c.stratum, []).append(c)
    quota = allocate(
        {k: len(v) for k, v in by_stratum.items()},
        {k: sum(c.weight for c in v) for k, v in by_stratum.items()},
        n,
    )
    chosen: list[Candidate] = []
    for stratum in sorted(by_stratum):
        rng = random.Random(f"chungtay-plan/{seed}/{stratum}")
        keyed = [(rng.random() ** (1.0 / c.weight), c) for c in by_stratum[stratum]]
        keyed.sort(key=lambda kc: (-kc[0], kc[1].household_id))
        chosen.extend(c for _, c in keyed[: quota.get(stratum, 0)])
    return [Drawn(i + 1, c) for i, c in enumerate(chosen)]
