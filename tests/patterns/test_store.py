"""PatternStore on real LanceDB: filters, the quality threshold, the near-duplicate rule, the
vector index past its threshold, pruning and re-embedding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from nodegen.artifacts import IntelligenceRequest, NodeKind
from nodegen.patterns import AddStatus, Embedder, PatternStore
from nodegen.patterns.store import NEAR_DUPLICATE_COSINE

from .conftest import record

MakeStore = Callable[..., PatternStore]

WEATHER = "Get the current weather for a city from a weather API and return the temperature."
RATES = "Fetch currency exchange rates over HTTP and cache them for five minutes."
STATS = "Compute count, mean, median and the 95th percentile of a list of response times."
LEDGER = "Apply deposits and withdrawals to an account balance and refuse overdrafts."


def _query(prompt: str, kind: NodeKind, domain: str | None = None) -> IntelligenceRequest:
    return IntelligenceRequest(correlation_id="q", prompt=prompt, node_kind=kind, domain=domain)


def test_store_and_retrieve_with_kind_and_domain_filters(make_store: MakeStore) -> None:
    store = make_store()
    store.add(record("weather", WEATHER, kind="effect", domain="weather"))
    store.add(record("rates", RATES, kind="effect", domain="finance"))
    store.add(record("stats", STATS, kind="compute", domain="analytics"))
    store.add(record("ledger", LEDGER, kind="reducer", domain="finance"))
    assert store.count() == 4

    effects = store.search(_query("temperature in Paris right now from a weather service", NodeKind.EFFECT))
    assert [h.pattern_id for h in effects.patterns_found] == ["weather", "rates"]
    assert effects.patterns_found[0].node_kind is NodeKind.EFFECT
    assert effects.confidence == pytest.approx(effects.patterns_found[0].similarity)
    assert effects.sources == ["pattern:weather", "pattern:rates"]
    assert effects.recommendations[0].startswith("follow pattern weather")

    finance = store.search(_query("temperature in Paris from a weather service", NodeKind.EFFECT, "finance"))
    assert [h.pattern_id for h in finance.patterns_found] == ["rates"]

    reducers = store.search(_query("bank balance ledger", NodeKind.REDUCER, "finance"))
    assert [h.pattern_id for h in reducers.patterns_found] == ["ledger"]
    assert store.search(_query("anything", NodeKind.ORCHESTRATOR)).patterns_found == []

    # An unknown domain falls back to the kind alone rather than returning nothing.
    fallback = store.search(_query("latency percentiles", NodeKind.COMPUTE, "no_such_domain"))
    assert [h.pattern_id for h in fallback.patterns_found] == ["stats"]

    # search_vector applies min_quality and returns similarities.
    vector = store.embedder.embed([STATS])[0]
    rows = store.search_vector(vector, node_kind="compute", min_quality=0.5)
    assert rows[0]["id"] == "stats" and rows[0]["similarity"] == pytest.approx(1.0, abs=1e-4)


def test_extracted_facts_are_stored_with_the_pattern(make_store: MakeStore) -> None:
    code = (
        "import httpx\n\n"
        "async def fetch(client: httpx.AsyncClient, url: str) -> dict:\n"
        "    for attempt in range(3):\n"
        "        try:\n"
        "            return (await client.get(url)).json()\n"
        "        except httpx.HTTPError:\n"
        "            raise ValueError('ONEX_CORE_002_OPERATION_FAILED')\n"
    )
    store = make_store()
    store.add(record("fetch", WEATHER, kind="effect", domain="weather", files={"node.py": code}))
    hit = store.search(_query(WEATHER, NodeKind.EFFECT)).patterns_found[0]
    assert {"http_get", "fetch"} <= set(hit.operations)
    assert hit.dependencies[0] == "httpx"
    assert hit.code_excerpt.startswith("import httpx")


@pytest.mark.parametrize(("quality", "stored"), [(0.94, False), (0.9499, False), (0.95, True), (1.0, True)])
def test_quality_threshold(make_store: MakeStore, quality: float, stored: bool) -> None:
    store = make_store()
    result = store.add(record("p", STATS, quality=quality))

    assert result.stored is stored
    assert result.status is (AddStatus.ADDED if stored else AddStatus.SKIPPED_LOW_QUALITY)
    assert store.count() == int(stored)


def test_quality_threshold_is_configurable(make_store: MakeStore) -> None:
    lenient = make_store(min_quality=0.8)
    assert lenient.add(record("p", STATS, quality=0.85)).status is AddStatus.ADDED
    strict = make_store(min_quality=0.99)
    assert strict.add(record("p", STATS, quality=0.98)).status is AddStatus.SKIPPED_LOW_QUALITY


def test_near_duplicates_keep_the_better_one(make_store: MakeStore) -> None:
    store = make_store()
    assert store.add(record("first", STATS, quality=0.96)).status is AddStatus.ADDED

    # Same kind and domain, nearly the same words: cosine >= 0.97.
    near = STATS.replace("Compute", "Calculate")
    similarity = float(np.dot(*store.embedder.embed([STATS, near])))
    assert similarity >= NEAR_DUPLICATE_COSINE

    worse = store.add(record("worse", near, quality=0.95))
    assert worse.status is AddStatus.SKIPPED_DUPLICATE and worse.duplicate_of == "first"
    equal = store.add(record("equal", near, quality=0.96))
    assert equal.status is AddStatus.SKIPPED_DUPLICATE

    better = store.add(record("better", near, quality=0.99))
    assert better.status is AddStatus.REPLACED and better.replaced_id == "first"
    assert better.similarity is not None and better.similarity >= NEAR_DUPLICATE_COSINE
    assert store.existing_ids(["first", "worse", "equal", "better"]) == {"better"}

    # The same prompt in another domain (or kind) is a different pattern: both kept.
    assert store.add(record("other-domain", near, domain="finance")).status is AddStatus.ADDED
    assert store.add(record("other-kind", near, kind="reducer")).status is AddStatus.ADDED
    # Merely related prompts are not duplicates.
    assert store.add(record("related", "Compute the median of a list of numbers.")).status is AddStatus.ADDED
    assert store.count() == 4

    # Re-offering a stored id is a no-op.
    assert store.add(record("better", near, quality=1.0)).status is AddStatus.EXISTS
    assert store.count() == 4


def _synthetic(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.slow
def test_index_is_built_past_the_threshold_and_search_still_finds_the_rows(make_store: MakeStore) -> None:
    threshold = 400
    store = make_store(index_threshold=threshold)
    rng = np.random.default_rng(7)
    kinds = ["compute", "effect", "reducer", "orchestrator"]
    store.add_rows_unchecked(
        _synthetic(rng, threshold - 3),
        [
            {"id": f"syn-{i}", "node_type": kinds[i % 4], "domain": f"d{i % 7}", "node_name": f"syn_{i}",
             "quality_score": 0.96}
            for i in range(threshold - 3)
        ],
    )
    store.add(record("weather", WEATHER, kind="effect", domain="weather"))
    store.add(record("stats", STATS, kind="compute", domain="analytics"))
    assert not store.has_vector_index() and store.count() == threshold - 1

    store.add(record("ledger", LEDGER, kind="reducer", domain="finance"))  # reaches the threshold
    assert store.count() == threshold
    assert store.has_vector_index()
    assert store.stats()["vector_index"] is True

    for pid, prompt, kind, domain in [
        ("weather", "today's temperature for a city from a weather service", NodeKind.EFFECT, "weather"),
        ("stats", "median and percentiles of response times", NodeKind.COMPUTE, None),
        ("ledger", LEDGER, NodeKind.REDUCER, "finance"),
    ]:
        found = store.search(_query(prompt, kind, domain)).patterns_found
        assert found and found[0].pattern_id == pid
        assert all(h.node_kind is kind for h in found)

    # Indexed and exact search agree on the filtered top hit.
    vector = store.embedder.embed([STATS])[0]
    indexed = store.search_vector(vector, node_kind="compute", top_k=5)
    exact = store.search_vector(vector, node_kind="compute", top_k=5, exact=True)
    assert indexed[0]["id"] == exact[0]["id"] == "stats"
    assert all(r["node_type"] == "compute" for r in indexed)


def test_reindex_below_threshold_keeps_exact_search(make_store: MakeStore) -> None:
    store = make_store(index_threshold=1000)
    store.add(record("stats", STATS))
    assert store.reindex() is False
    assert not store.has_vector_index()


def test_prune_drops_stale_unretrieved_patterns_and_keeps_seeds(make_store: MakeStore) -> None:
    store = make_store()
    old = datetime.now(UTC) - timedelta(days=120)
    store.add(record("old-unused", STATS, domain="analytics", timestamp=old))
    store.add(record("old-used", WEATHER, kind="effect", domain="weather", timestamp=old))
    store.add(record("seed-node_x_compute", LEDGER, kind="reducer", domain="finance", timestamp=old))
    store.add(record("recent", RATES, kind="effect", domain="finance"))
    store.search(_query(WEATHER, NodeKind.EFFECT, "weather"))  # retrieves old-used only

    assert store.prune(unused_days=90) == 1
    assert store.existing_ids(["old-unused", "old-used", "seed-node_x_compute", "recent"]) == {
        "old-used", "seed-node_x_compute", "recent",
    }
    stats = store.stats()
    assert stats["size"] == 3 and stats["seed_patterns"] == 1
    assert stats["total_retrievals"] == 1 and stats["patterns_reused"] == 1

    assert store.prune(unused_days=90, keep_seeds=False) == 1
    assert store.count() == 2


def test_retrieval_counts_are_flushed(make_store: MakeStore) -> None:
    store = make_store(stats_flush_every=3)
    store.add(record("stats", STATS))
    for _ in range(3):
        store.search(_query(STATS, NodeKind.COMPUTE))
    # The third retrieval reached the flush threshold: the count is on disk without flush_stats().
    reader = PatternStore(store.uri, store.embedder)
    assert reader.stats()["top_reused"] == [{"id": "stats", "retrievals": 3}]


def test_reembed_all_replaces_vectors_of_another_model(make_store: MakeStore, embedder: Embedder) -> None:
    store = make_store()
    store.add(record("current", STATS))
    rng = np.random.default_rng(1)
    store.add_rows_unchecked(
        _synthetic(rng, 2),
        [
            {"id": f"stale-{i}", "node_type": "effect", "domain": "weather", "node_name": f"s{i}",
             "quality_score": 0.97, "prompt": prompt, "embedder_id": "old-model@1"}
            for i, prompt in enumerate([WEATHER, RATES])
        ],
    )
    assert store.stats()["embedder_ids"] == sorted(["old-model@1", embedder.model_id])

    assert store.reembed_all() == 2
    assert store.stats()["embedder_ids"] == [embedder.model_id]
    rows = store.search_vector(embedder.embed([WEATHER])[0], node_kind="effect", top_k=1)
    assert rows[0]["id"] == "stale-0" and rows[0]["similarity"] == pytest.approx(1.0, abs=1e-4)
    assert store.reembed_all() == 0  # nothing stale any more
    assert store.reembed_all(force=True) == 3
    assert store.count() == 3
