"""The pattern library: successful generations in LanceDB, retrieved by prompt similarity.

Only high-quality nodes are stored (quality >= min_quality), near-duplicates of the same kind and
domain are collapsed (the better one wins), and retrieval is a filtered top-k over normalised
MiniLM vectors: exact (flat) below `index_threshold` rows, an IVF_HNSW_SQ index above it.
Writes from several processes are serialised by a lock file beside the table (local URIs) and
retried on Lance commit conflicts, so concurrent appends never lose rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import lancedb
import numpy as np
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from nodegen.artifacts import IntelligenceRequest, IntelligenceResponse, NodeKind, PatternHit
from nodegen.errors import StoreError
from nodegen.patterns.embedder import EMBEDDING_DIM
from nodegen.patterns.extract import extract_patterns

log = logging.getLogger(__name__)

DEFAULT_TABLE = "successful_generations"
NEAR_DUPLICATE_COSINE = 0.97
SEED_PREFIX = "seed-"
_TS = pa.timestamp("us", tz="UTC")

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("vector", pa.list_(pa.float32(), EMBEDDING_DIM), nullable=False),
        pa.field("node_type", pa.string(), nullable=False),
        pa.field("domain", pa.string(), nullable=False),
        pa.field("node_name", pa.string(), nullable=False),
        pa.field("prompt", pa.string()),
        pa.field("contract_summary", pa.string()),
        pa.field("code", pa.string()),
        pa.field("operations", pa.list_(pa.string())),
        pa.field("dependencies", pa.list_(pa.string())),
        pa.field("error_handling", pa.list_(pa.string())),
        pa.field("quality_score", pa.float64(), nullable=False),
        pa.field("models_used", pa.string()),
        pa.field("embedder_id", pa.string()),
        pa.field("timestamp", _TS),
        pa.field("retrieval_count", pa.int64()),
        pa.field("last_retrieved_at", _TS),
    ]
)


class TextEmbedder(Protocol):
    """What the store needs from an embedder (nodegen.patterns.embedder.Embedder)."""

    model_id: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


class PatternRecord(BaseModel):
    """A candidate pattern: one successful generation. Operations, dependencies and error handling
    are extracted from `files` when not given."""

    model_config = ConfigDict(extra="forbid")

    correlation_id: str = Field(min_length=1, max_length=200)
    node_type: NodeKind
    domain: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    node_name: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    contract_summary: str = ""
    code: str = ""
    files: dict[str, str] = Field(default_factory=dict, description="Used for extraction only")
    operations: list[str] | None = None
    dependencies: list[str] | None = None
    error_handling: list[str] | None = None
    quality_score: float = Field(ge=0.0, le=1.0)
    models_used: dict[str, str] = Field(default_factory=dict)
    timestamp: datetime | None = None


class AddStatus(StrEnum):
    ADDED = "added"
    REPLACED = "replaced"
    SKIPPED_LOW_QUALITY = "skipped_low_quality"
    SKIPPED_DUPLICATE = "skipped_duplicate"
    EXISTS = "exists"


class AddResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: AddStatus
    pattern_id: str
    replaced_id: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None

    @property
    def stored(self) -> bool:
        return self.status in (AddStatus.ADDED, AddStatus.REPLACED)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _is_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return "conflict" in text or "retryable" in text or "concurrent" in text


class PatternStore:
    """Successful generations, searchable by prompt. See module docstring for the rules."""

    def __init__(
        self,
        uri: str | os.PathLike[str],
        embedder: TextEmbedder,
        *,
        min_quality: float = 0.95,
        table: str = DEFAULT_TABLE,
        index_threshold: int = 5_000,
        stats_flush_every: int = 50,
        read_consistency: timedelta | None = timedelta(0),
        write_retries: int = 20,
    ) -> None:
        self.uri = str(uri)
        self.embedder = embedder
        self.min_quality = min_quality
        self.table_name = table
        self.index_threshold = index_threshold
        self.stats_flush_every = stats_flush_every
        self.write_retries = write_retries
        self._pending: Counter[str] = Counter()
        self._pending_lock = threading.Lock()
        self._local = "://" not in self.uri or self.uri.startswith("file://")
        try:
            if self._local:
                Path(self.uri.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
            self._db = lancedb.connect(self.uri, read_consistency_interval=read_consistency)
            self._table = self._open_or_create()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open pattern store at {self.uri!r}: {exc}") from exc

    # ---------------------------------------------------------------- plumbing
    def _open_or_create(self) -> Any:
        with self._write_lock():
            try:
                table = self._db.open_table(self.table_name)
            except (ValueError, FileNotFoundError):
                table = self._db.create_table(self.table_name, schema=SCHEMA, exist_ok=True)
        if table.schema.field("vector").type != SCHEMA.field("vector").type:
            raise StoreError(
                f"table {self.table_name!r} at {self.uri!r} has vector type "
                f"{table.schema.field('vector').type}, expected {SCHEMA.field('vector').type}"
            )
        return table

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Cross-process lock for check-then-write sequences (local URIs only; remote stores rely on
        Lance's optimistic commits and the retry loop)."""
        if not self._local:
            yield
            return
        path = Path(self.uri.removeprefix("file://")) / f".{self.table_name}.lock"
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _retry(self, action: str, func: Any) -> Any:
        delay = 0.02
        for attempt in range(1, self.write_retries + 1):
            try:
                return func()
            except Exception as exc:  # lance raises OSError/RuntimeError for commit conflicts
                if not _is_conflict(exc) or attempt == self.write_retries:
                    raise StoreError(f"pattern store {action} failed: {exc}") from exc
                log.debug("commit conflict on %s (attempt %d): %s", action, attempt, exc)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != EMBEDDING_DIM:
            raise StoreError(
                f"embedder returned shape {vectors.shape}, expected (n, {EMBEDDING_DIM})"
            )
        return vectors

    @staticmethod
    def _text_of(prompt: str) -> str:
        return prompt.strip()

    def count(self) -> int:
        return int(self._table.count_rows())

    def has_vector_index(self) -> bool:
        return any(idx.columns == ["vector"] for idx in self._table.list_indices())

    # ---------------------------------------------------------------- writing
    def _row(self, record: PatternRecord, vector: np.ndarray) -> dict[str, Any]:
        extracted = extract_patterns(
            record.files or ({"node.py": record.code} if record.code else {})
        )
        code = record.code or record.files.get("node.py", "")
        return {
            "id": record.correlation_id,
            "vector": vector.astype(np.float32).tolist(),
            "node_type": record.node_type.value,
            "domain": record.domain,
            "node_name": record.node_name,
            "prompt": record.prompt,
            "contract_summary": record.contract_summary,
            "code": code,
            "operations": record.operations
            if record.operations is not None
            else extracted.operations,
            "dependencies": (
                record.dependencies if record.dependencies is not None else extracted.dependencies
            ),
            "error_handling": (
                record.error_handling
                if record.error_handling is not None
                else extracted.error_handling
            ),
            "quality_score": float(record.quality_score),
            "models_used": json.dumps(record.models_used, sort_keys=True),
            "embedder_id": self.embedder.model_id,
            "timestamp": record.timestamp or datetime.now(UTC),
            "retrieval_count": 0,
            "last_retrieved_at": None,
        }

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these pattern ids are stored (one scan)."""
        if not ids:
            return set()
        self._table.checkout_latest()
        where = "id IN (" + ", ".join(_sql_str(i) for i in ids) + ")"
        rows = self._table.search().where(where).select(["id"]).limit(None).to_arrow()
        return set(rows.column("id").to_pylist())

    def _exists(self, pattern_id: str) -> bool:
        return self._table.count_rows(f"id = {_sql_str(pattern_id)}") > 0

    def add(self, candidate: PatternRecord) -> AddResult:
        """Store a successful generation if it is good enough and not a worse near-duplicate."""
        pid = candidate.correlation_id
        if candidate.quality_score < self.min_quality:
            return AddResult(status=AddStatus.SKIPPED_LOW_QUALITY, pattern_id=pid)
        vector = self._embed([self._text_of(candidate.prompt)])[0]
        with self._write_lock():
            self._table.checkout_latest()
            if self._exists(pid):
                return AddResult(status=AddStatus.EXISTS, pattern_id=pid)
            where = (
                f"node_type = {_sql_str(candidate.node_type.value)} "
                f"AND domain = {_sql_str(candidate.domain)}"
            )
            near = (
                self._table.search(vector.tolist(), vector_column_name="vector")
                .distance_type("cosine")
                .where(where, prefilter=True)
                .select(["id", "quality_score", "_distance"])
                .limit(1)
                .to_list()
            )
            row = self._row(candidate, vector)
            if near:
                similarity = 1.0 - float(near[0]["_distance"])
                old_id = str(near[0]["id"])
                if similarity >= NEAR_DUPLICATE_COSINE:
                    if candidate.quality_score <= float(near[0]["quality_score"]):
                        return AddResult(
                            status=AddStatus.SKIPPED_DUPLICATE,
                            pattern_id=pid,
                            duplicate_of=old_id,
                            similarity=similarity,
                        )
                    self._append([row])  # add first, then delete: a crash never loses both
                    self._retry("delete", lambda: self._table.delete(f"id = {_sql_str(old_id)}"))
                    return AddResult(
                        status=AddStatus.REPLACED,
                        pattern_id=pid,
                        replaced_id=old_id,
                        similarity=similarity,
                    )
            self._append([row])
        self._maybe_index()
        return AddResult(status=AddStatus.ADDED, pattern_id=pid)

    def _append(self, rows: list[dict[str, Any]]) -> None:
        data = pa.Table.from_pylist(rows, schema=SCHEMA)
        self._retry("append", lambda: self._table.add(data))

    def add_rows_unchecked(self, vectors: np.ndarray, metadata: list[dict[str, Any]]) -> None:
        """Bulk load pre-embedded rows without the quality/duplicate rules (benchmarks, migrations).
        Each metadata dict needs id, node_type, domain, node_name, quality_score."""
        now = datetime.now(UTC)
        rows = []
        for vector, meta in zip(vectors, metadata, strict=True):
            row = {name: None for name in SCHEMA.names}
            row.update(
                prompt="",
                contract_summary="",
                code="",
                operations=[],
                dependencies=[],
                error_handling=[],
                models_used="{}",
                embedder_id=self.embedder.model_id,
                timestamp=now,
                retrieval_count=0,
            )
            row.update(meta)
            row["vector"] = np.asarray(vector, dtype=np.float32)
            rows.append(row)
        columns = {name: [r[name] for r in rows] for name in SCHEMA.names}
        columns["vector"] = pa.FixedSizeListArray.from_arrays(
            pa.array(np.stack(columns["vector"]).ravel(), type=pa.float32()), EMBEDDING_DIM
        )
        data = pa.table(
            {
                name: pa.array(columns[name], type=SCHEMA.field(name).type)
                if name != "vector"
                else columns[name]
                for name in SCHEMA.names
            },
            schema=SCHEMA,
        )
        with self._write_lock():
            self._retry("bulk append", lambda: self._table.add(data))

    # ---------------------------------------------------------------- index
    def _maybe_index(self) -> None:
        if self.count() >= self.index_threshold and not self.has_vector_index():
            self.reindex()

    def reindex(self, *, num_partitions: int | None = None) -> bool:
        """(Re)build the ANN index and scalar indices; below the threshold, drop to exact search.
        Returns True when a vector index is in place afterwards."""
        rows = self.count()
        with self._write_lock():
            if rows < self.index_threshold:
                return False
            partitions = num_partitions or max(1, min(1024, int(np.sqrt(rows))))
            self._retry(
                "create vector index",
                lambda: self._table.create_index(
                    metric="cosine",
                    vector_column_name="vector",
                    index_type="IVF_HNSW_SQ",
                    num_partitions=partitions,
                    replace=True,
                ),
            )
            # Every search filters on kind (and often domain) and on quality: without scalar
            # indices each prefilter scans its column.
            for column, kind in (("node_type", "BITMAP"), ("domain", "BITMAP"),
                                 ("quality_score", "BTREE")):
                self._retry(
                    f"index {column}",
                    lambda c=column, k=kind: self._table.create_scalar_index(
                        c, index_type=k, replace=True
                    ),
                )
        return True

    # ---------------------------------------------------------------- reading
    def search_vector(
        self,
        vector: np.ndarray,
        *,
        node_kind: NodeKind | str | None = None,
        domain: str | None = None,
        min_quality: float = 0.0,
        top_k: int = 5,
        exact: bool = False,
        nprobes: int | None = None,
        ef: int | None = None,
        columns: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Filtered top-k rows by cosine similarity (`similarity` key added)."""
        clauses = [f"quality_score >= {float(min_quality)!r}"]
        if node_kind is not None:
            clauses.append(f"node_type = {_sql_str(str(NodeKind(node_kind).value))}")
        if domain:
            clauses.append(f"domain = {_sql_str(domain)}")
        query = (
            self._table.search(
                np.asarray(vector, dtype=np.float32).tolist(), vector_column_name="vector"
            )
            .distance_type("cosine")
            .where(" AND ".join(clauses), prefilter=True)
            .limit(top_k)
        )
        if columns is not None:
            query = query.select([*columns, "_distance"])
        if exact:
            query = query.bypass_vector_index()
        if nprobes is not None:
            query = query.nprobes(nprobes)
        if ef is not None:
            query = query.ef(ef)
        rows = query.to_list()
        for row in rows:
            row["similarity"] = 1.0 - float(row.pop("_distance"))
        return rows

    def search(self, request: IntelligenceRequest) -> IntelligenceResponse:
        """Patterns for a request: same kind (and domain when known), good enough, most similar."""
        vector = self._embed([self._text_of(request.prompt)])[0]
        cols = [
            "id",
            "node_name",
            "node_type",
            "domain",
            "quality_score",
            "operations",
            "dependencies",
            "error_handling",
            "code",
        ]
        rows = self.search_vector(
            vector,
            node_kind=request.node_kind,
            domain=request.domain,
            min_quality=request.min_quality,
            top_k=request.top_k,
            columns=cols,
        )
        if not rows and request.domain:  # unknown domain: fall back to the kind alone
            rows = self.search_vector(
                vector,
                node_kind=request.node_kind,
                min_quality=request.min_quality,
                top_k=request.top_k,
                columns=cols,
            )
        hits = [
            PatternHit(
                pattern_id=str(r["id"]),
                node_name=str(r["node_name"]),
                node_kind=NodeKind(r["node_type"]),
                domain=str(r["domain"]),
                similarity=round(max(-1.0, min(1.0, r["similarity"])), 6),
                quality_score=float(r["quality_score"]),
                operations=list(r["operations"] or []),
                dependencies=list(r["dependencies"] or []),
                code_excerpt=(r["code"] or "")[:1500],
            )
            for r in rows
        ]
        self._note_retrievals([h.pattern_id for h in hits])
        return IntelligenceResponse(
            correlation_id=request.correlation_id,
            patterns_found=hits,
            recommendations=_recommend(hits, rows),
            confidence=max((max(0.0, h.similarity) for h in hits), default=0.0),
            sources=[f"pattern:{h.pattern_id}" for h in hits],
        )

    # ---------------------------------------------------------------- retrieval stats
    def _note_retrievals(self, ids: list[str]) -> None:
        with self._pending_lock:
            self._pending.update(ids)
            due = sum(self._pending.values()) >= self.stats_flush_every
        if due:
            self.flush_stats()

    def flush_stats(self) -> int:
        """Write buffered retrieval counts (one update per distinct increment). Returns rows touched."""
        with self._pending_lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return 0
        by_increment: dict[int, list[str]] = {}
        for pid, n in pending.items():
            by_increment.setdefault(n, []).append(pid)
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        touched = 0
        with self._write_lock():
            for n, ids in by_increment.items():
                where = "id IN (" + ", ".join(_sql_str(i) for i in ids) + ")"
                result = self._retry(
                    "update retrieval stats",
                    lambda w=where, n=n: self._table.update(
                        where=w,
                        values_sql={
                            "retrieval_count": f"coalesce(retrieval_count, 0) + {n}",
                            "last_retrieved_at": f"arrow_cast('{now}', 'Timestamp(Microsecond, Some(\"UTC\"))')",
                        },
                    ),
                )
                touched += int(getattr(result, "rows_updated", len(ids)))
        return touched

    # ---------------------------------------------------------------- maintenance
    def prune(self, unused_days: int = 90, *, keep_seeds: bool = True) -> int:
        """Delete patterns not retrieved (or, never retrieved, not added) for `unused_days`."""
        self.flush_stats()
        cutoff = (datetime.now(UTC) - timedelta(days=unused_days)).strftime("%Y-%m-%d %H:%M:%S")
        ts = f"arrow_cast('{cutoff}', 'Timestamp(Microsecond, Some(\"UTC\"))')"
        where = f"((last_retrieved_at IS NULL AND timestamp < {ts}) OR last_retrieved_at < {ts})"
        if keep_seeds:
            where += f" AND NOT starts_with(id, '{SEED_PREFIX}')"
        with self._write_lock():
            before = self.count()
            self._retry("prune", lambda: self._table.delete(where))
            return before - self.count()

    def reembed_all(self, *, force: bool = False, batch: int = 1024) -> int:
        """Re-embed every row whose embedder_id differs from the current model. Returns rows done."""
        current = self.embedder.model_id
        where = None if force else f"embedder_id IS NULL OR embedder_id != {_sql_str(current)}"
        with self._write_lock():
            stale = (
                self._table.search().where(where).select(["id", "prompt"]).limit(None).to_arrow()
                if where
                else self._table.search().select(["id", "prompt"]).limit(None).to_arrow()
            )
            ids = stale.column("id").to_pylist()
            prompts = stale.column("prompt").to_pylist()
            for start in range(0, len(ids), batch):
                chunk_ids = ids[start : start + batch]
                vectors = self._embed(
                    [self._text_of(p or "") for p in prompts[start : start + batch]]
                )
                update = pa.table(
                    {
                        "id": pa.array(chunk_ids, pa.string()),
                        "vector": pa.FixedSizeListArray.from_arrays(
                            pa.array(vectors.ravel(), pa.float32()), EMBEDDING_DIM
                        ),
                        "embedder_id": pa.array([current] * len(chunk_ids), pa.string()),
                    }
                )
                self._retry(
                    "re-embed",
                    lambda u=update: (
                        self._table.merge_insert("id").when_matched_update_all().execute(u)
                    ),
                )
        if ids and self.has_vector_index():
            self.reindex()
        return len(ids)

    def stats(self) -> dict[str, Any]:
        """Size, per kind / domain counts and reuse figures."""
        self.flush_stats()
        self._table.checkout_latest()
        data = (
            self._table.search()
            .select(
                ["id", "node_type", "domain", "retrieval_count", "quality_score", "embedder_id"]
            )
            .limit(None)
            .to_arrow()
        )
        counts = data.column("retrieval_count").to_pylist()
        ids = data.column("id").to_pylist()
        retrieved = [(c or 0) for c in counts]
        top = sorted(zip(ids, retrieved, strict=True), key=lambda p: -p[1])[:10]
        return {
            "size": data.num_rows,
            "by_kind": dict(Counter(data.column("node_type").to_pylist())),
            "by_domain": dict(Counter(data.column("domain").to_pylist())),
            "seed_patterns": sum(1 for i in ids if i.startswith(SEED_PREFIX)),
            "total_retrievals": int(sum(retrieved)),
            "patterns_reused": sum(1 for c in retrieved if c > 0),
            "reuse_rate": (sum(1 for c in retrieved if c > 0) / len(ids)) if ids else 0.0,
            "top_reused": [{"id": i, "retrievals": c} for i, c in top if c > 0],
            "mean_quality": float(np.mean(data.column("quality_score").to_numpy())) if ids else 0.0,
            "embedder_ids": sorted({e for e in data.column("embedder_id").to_pylist() if e}),
            "vector_index": self.has_vector_index(),
            "index_threshold": self.index_threshold,
        }

    def breakdown(self) -> list[dict[str, Any]]:
        """Patterns per (kind, domain) with mean quality and retrievals: where the library is thin."""
        self.flush_stats()
        self._table.checkout_latest()
        data = (
            self._table.search()
            .select(["id", "node_type", "domain", "quality_score", "retrieval_count"])
            .limit(None)
            .to_arrow()
        )
        grouped = data.group_by(["node_type", "domain"]).aggregate(
            [("id", "count"), ("quality_score", "mean"), ("retrieval_count", "sum")]
        )
        rows = [
            {
                "node_type": r["node_type"],
                "domain": r["domain"],
                "patterns": int(r["id_count"]),
                "mean_quality": float(r["quality_score_mean"]),
                "retrievals": int(r["retrieval_count_sum"] or 0),
            }
            for r in grouped.to_pylist()
        ]
        return sorted(rows, key=lambda r: (r["node_type"], r["domain"]))


def _recommend(hits: list[PatternHit], rows: list[dict[str, Any]]) -> list[str]:
    """Human/LLM-readable advice from the hits: recipes to reuse, the closest pattern to follow,
    dependencies and error-handling conventions seen in them."""
    if not hits:
        return ["no similar successful pattern: generate from the catalogue recipes"]
    ops: Counter[str] = Counter()
    deps: Counter[str] = Counter()
    errs: Counter[str] = Counter()
    for hit, row in zip(hits, rows, strict=True):
        weight = max(hit.similarity, 0.0)
        for op in hit.operations:
            ops[op] += weight
        for dep in hit.dependencies:
            deps[dep] += weight
        for err in row.get("error_handling") or []:
            errs[err] += weight
    best = hits[0]
    out = [
        f"follow pattern {best.node_name} ({best.node_kind.value}, similarity {best.similarity:.2f})"
    ]
    if ops:
        out.append("reuse recipes: " + ", ".join(op for op, _ in ops.most_common(6)))
    if deps:
        out.append("dependencies: " + ", ".join(d for d, _ in deps.most_common(5)))
    if errs:
        out.append("error handling: " + ", ".join(e for e, _ in errs.most_common(4)))
    return out
