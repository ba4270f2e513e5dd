"""One-sided non-inferiority statistics for model migration.

A cheaper model may replace the current one only when we are confident that its quality is not worse
by more than a margin: the lower confidence bound of (candidate - current) must be >= -margin.
A mean that merely passes is not enough: a noisy candidate with few samples has a wide bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from scipy import stats as sps


class NonInferiority(BaseModel):
    """Outcome of a one-sided non-inferiority test of candidate vs current."""

    method: str
    n_candidate: int
    n_current: int
    mean_candidate: float
    mean_current: float
    diff: float  # candidate - current
    lower_bound: float  # one-sided lower confidence bound of diff
    margin: float
    confidence: float
    p_value: float  # H0: diff <= -margin
    non_inferior: bool


def _as_array(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError("samples must be one-dimensional")
    if not np.all(np.isfinite(arr)):
        raise ValueError("samples contain NaN or infinite values")
    return arr


def welch_noninferiority(
    candidate: Sequence[float] | np.ndarray,
    current: Sequence[float] | np.ndarray,
    margin: float,
    confidence: float = 0.95,
) -> NonInferiority:
    """Welch t lower bound of mean(candidate) - mean(current); needs >= 2 samples each."""
    cand, cur = _as_array(candidate), _as_array(current)
    if len(cand) < 2 or len(cur) < 2:
        raise ValueError("Welch test needs at least 2 samples on each side")
    if not 0.5 < confidence < 1:
        raise ValueError("confidence must be in (0.5, 1)")
    m_c, m_a = float(cand.mean()), float(cur.mean())
    v_c, v_a = float(cand.var(ddof=1)) / len(cand), float(cur.var(ddof=1)) / len(cur)
    diff = m_c - m_a
    se = math.sqrt(v_c + v_a)
    if se == 0.0:
        lower = diff
        p_value = 0.0 if diff > -margin else 1.0
    else:
        df = (v_c + v_a) ** 2 / (
            (v_c**2 / (len(cand) - 1) if v_c else 0.0) + (v_a**2 / (len(cur) - 1) if v_a else 0.0)
        )
        t_crit = float(sps.t.ppf(confidence, df))
        lower = diff - t_crit * se
        p_value = float(sps.t.sf((diff + margin) / se, df))
    return NonInferiority(
        method="welch_t",
        n_candidate=len(cand),
        n_current=len(cur),
        mean_candidate=m_c,
        mean_current=m_a,
        diff=diff,
        lower_bound=lower,
        margin=margin,
        confidence=confidence,
        p_value=p_value,
        non_inferior=lower >= -margin,
    )


def bootstrap_noninferiority(
    candidate: Sequence[float] | np.ndarray,
    current: Sequence[float] | np.ndarray,
    margin: float,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> NonInferiority:
    """Percentile-bootstrap lower bound of the mean difference (no normality assumption)."""
    cand, cur = _as_array(candidate), _as_array(current)
    if len(cand) < 2 or len(cur) < 2:
        raise ValueError("bootstrap needs at least 2 samples on each side")
    rng = np.random.default_rng(seed)
    means_c = cand[rng.integers(0, len(cand), (resamples, len(cand)))].mean(axis=1)
    means_a = cur[rng.integers(0, len(cur), (resamples, len(cur)))].mean(axis=1)
    diffs = means_c - means_a
    lower = float(np.quantile(diffs, 1 - confidence))
    diff = float(cand.mean() - cur.mean())
    return NonInferiority(
        method="bootstrap",
        n_candidate=len(cand),
        n_current=len(cur),
        mean_candidate=float(cand.mean()),
        mean_current=float(cur.mean()),
        diff=diff,
        lower_bound=lower,
        margin=margin,
        confidence=confidence,
        p_value=float((diffs <= -margin).mean()),
        non_inferior=lower >= -margin,
    )


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval whose each end is a one-sided bound at `confidence`
    (so the pair is a two-sided interval at 2*confidence - 1)."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError("successes must be within [0, n]")
    z = float(sps.norm.ppf(confidence))  # one-sided z: each end is a one-sided bound
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def success_noninferiority(
    successes_candidate: int,
    n_candidate: int,
    successes_current: int,
    n_current: int,
    margin: float,
    confidence: float = 0.95,
) -> NonInferiority:
    """Newcombe hybrid (Wilson-score) lower bound of p_candidate - p_current."""
    p_c, p_a = successes_candidate / n_candidate, successes_current / n_current
    l_c, _ = wilson_interval(successes_candidate, n_candidate, confidence)
    _, u_a = wilson_interval(successes_current, n_current, confidence)
    diff = p_c - p_a
    lower = diff - math.sqrt((p_c - l_c) ** 2 + (u_a - p_a) ** 2)
    # Normal-approximation p-value for the same hypothesis, for the evidence record.
    se = math.sqrt(p_c * (1 - p_c) / n_candidate + p_a * (1 - p_a) / n_current)
    p_value = float(sps.norm.sf((diff + margin) / se)) if se > 0 else (0.0 if diff > -margin else 1.0)
    return NonInferiority(
        method="newcombe_wilson",
        n_candidate=n_candidate,
        n_current=n_current,
        mean_candidate=p_c,
        mean_current=p_a,
        diff=diff,
        lower_bound=lower,
        margin=margin,
        confidence=confidence,
        p_value=p_value,
        non_inferior=lower >= -margin,
    )
