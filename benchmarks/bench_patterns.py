"""Pattern library speed: MiniLM embedding throughput, and filtered top-5 search latency with the
recall of the vector index against exact search, at several library sizes.

Synthetic rows are clustered unit vectors (2,000 centres, noise per row) loaded with
`add_rows_unchecked`; queries are noisy copies of stored rows, filtered by node kind (a quarter of the
rows), like the intelligence stage's queries. For each size: exact (flat) search, then the
IVF_HNSW_SQ index that `PatternStore.reindex()` builds, at several nprobes settings, with
recall@5 = |indexed top-5 ∩ exact top-5| / 5 averaged over the queries.

Run from the repository root:
    PYTHONPATH=. python benchmarks/bench_patterns.py [--sizes 10000,100000,1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from nodegen.patterns import EMBEDDING_DIM, Embedder, PatternStore

KINDS = ("compute", "effect", "reducer", "orchestrator")
CHUNK = 50_000


def embedding_throughput(batch: int, sentences: int) -> tuple[float, str]:
    embedder = Embedder(device="cpu", batch_size=batch)
    verbs = ["fetch", "compute", "validate", "aggregate", "convert", "route", "cache", "parse"]
    things = ["exchange rates", "order totals", "user sessions", "weather data", "invoices", "events"]
    texts = [
        f"{verbs[i % len(verbs)]} the {things[i % len(things)]} for request {i} and report the result"
        for i in range(sentences)
    ]
    embedder.embed(texts[:batch])  # warm-up
    started = time.perf_counter()
    embedder.embed(texts)
    return sentences / (time.perf_counter() - started), embedder.model_id


def synthetic(rng: np.random.Generator, n: int, centres: np.ndarray) -> np.ndarray:
    picks = centres[rng.integers(0, len(centres), n)]
    noise = rng.standard_normal((n, EMBEDDING_DIM)).astype(np.float32) * (0.8 / np.sqrt(EMBEDDING_DIM))
    vectors = picks + noise  # about cosine 0.78 to its centre, like related prompts
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def load(store: PatternStore, rng: np.random.Generator, size: int, centres: np.ndarray) -> np.ndarray:
    kept = []
    for start in range(0, size, CHUNK):
        n = min(CHUNK, size - start)
        vectors = synthetic(rng, n, centres)
        meta = [
            {"id": f"p{start + i}", "node_type": KINDS[(start + i) % 4], "domain": f"d{(start + i) % 10}",
             "node_name": f"p{start + i}", "quality_score": 0.95 + 0.05 * ((start + i) % 2)}
            for i in range(n)
        ]
        store.add_rows_unchecked(vectors, meta)
        kept.append(vectors[:200])
    return np.concatenate(kept)


def timed(store: PatternStore, queries: np.ndarray, **kwargs: object) -> tuple[list[float], list[list[str]]]:
    latencies, results = [], []
    for i, query in enumerate(queries):
        started = time.perf_counter()
        rows = store.search_vector(query, node_kind=KINDS[i % 4], top_k=5, columns=["id"], **kwargs)
        latencies.append((time.perf_counter() - started) * 1000)
        results.append([r["id"] for r in rows])
    return latencies, results


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def bench_size(size: int, n_queries: int, nprobes: list[int], embedder: Embedder) -> list[dict[str, object]]:
    rng = np.random.default_rng(size)
    centres = rng.standard_normal((2000, EMBEDDING_DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory(prefix="bench-patterns-") as tmp:
        # add_rows_unchecked never indexes; reindex() below builds the index at any size.
        store = PatternStore(Path(tmp) / "lancedb", embedder, index_threshold=1)
        started = time.perf_counter()
        sample = load(store, rng, size, centres)
        load_s = time.perf_counter() - started
        picks = sample[rng.integers(0, len(sample), n_queries)]
        noisy = picks + 0.02 * rng.standard_normal(picks.shape).astype(np.float32)
        queries = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
        timed(store, queries[:5], exact=True)  # warm-up
        lat, truth = timed(store, queries, exact=True)
        rows: list[dict[str, object]] = [{
            "rows": size, "search": "exact", "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95),
            "recall@5": 1.0, "build_s": load_s,
        }]
        started = time.perf_counter()
        store.reindex()
        build_s = time.perf_counter() - started
        for probes in nprobes:
            timed(store, queries[:5], nprobes=probes)
            lat, found = timed(store, queries, nprobes=probes)
            recall = float(np.mean([len(set(f) & set(t)) / max(1, len(t)) for f, t in zip(found, truth, strict=True)]))
            rows.append({
                "rows": size, "search": f"IVF_HNSW_SQ nprobes={probes}", "p50_ms": pct(lat, 50),
                "p95_ms": pct(lat, 95), "recall@5": recall, "build_s": build_s,
            })
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated library sizes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--nprobes", default="20,50,100,200", help="comma-separated nprobes to try")
    parser.add_argument("--embed-sentences", type=int, default=1024)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    rate, model_id = embedding_throughput(64, args.embed_sentences)
    print(f"embedding: {rate:,.0f} sentences/s ({model_id}, batch 64, CPU, {os.cpu_count()} cores)\n")

    embedder = Embedder.load()
    nprobes = [int(p) for p in args.nprobes.split(",")]
    print("| rows | search | p50 ms | p95 ms | recall@5 | load/build s |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for row in bench_size(size, args.queries, nprobes, embedder):
            print(f"| {row['rows']:,} | {row['search']} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | "
                  f"{row['recall@5']:.3f} | {row['build_s']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
