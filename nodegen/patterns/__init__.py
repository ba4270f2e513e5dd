"""The pattern library (issue "Continuous learning"): successful generations embedded with MiniLM
and stored in LanceDB, retrieved by the intelligence stage, seeded with hand-written nodes."""

from nodegen.patterns.embedder import EMBEDDING_DIM, Embedder, EmbedderError
from nodegen.patterns.extract import ExtractedPatterns, extract_patterns
from nodegen.patterns.seeds import SEED_ROOT, load_seed_index, load_seed_library
from nodegen.patterns.store import AddResult, AddStatus, PatternRecord, PatternStore

__all__ = [
    "EMBEDDING_DIM",
    "SEED_ROOT",
    "AddResult",
    "AddStatus",
    "Embedder",
    "EmbedderError",
    "ExtractedPatterns",
    "PatternRecord",
    "PatternStore",
    "extract_patterns",
    "load_seed_index",
    "load_seed_library",
]
