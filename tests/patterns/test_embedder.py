"""The MiniLM embedder: 384-d unit vectors, batching that does not change the result, meaningful
similarities, and a clear error instead of a silent fallback when no model can be loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nodegen.patterns import EMBEDDING_DIM, Embedder, EmbedderError
from nodegen.patterns.embedder import ENV_MODEL

SENTENCES = [
    "Fetch the current weather for a city from a REST API.",
    "Compute the mean and the 99th percentile of a list of latencies.",
    "Apply deposit and withdrawal events to an account balance.",
    "Coordinate the steps of an order fulfilment workflow.",
    "",
    "Slugify an article title.",
    "Count how often each word appears in a document.",
]


def test_vectors_are_384_d_float32_and_unit_length(embedder: Embedder) -> None:
    vectors = embedder.embed(SENTENCES)

    assert vectors.shape == (len(SENTENCES), EMBEDDING_DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_one(SENTENCES[0]).shape == (EMBEDDING_DIM,)
    assert embedder.embed([]).shape == (0, EMBEDDING_DIM)
    assert embedder.model_id.startswith("all-MiniLM-L6-v2@")


def test_batching_does_not_change_the_vectors(embedder: Embedder) -> None:
    whole = embedder.embed(SENTENCES)
    small = Embedder(embedder.source, device=embedder.device, batch_size=2)

    np.testing.assert_allclose(small.embed(SENTENCES), whole, atol=1e-5)
    assert small.model_id == embedder.model_id
    assert Embedder.load(embedder.source, device=None) is Embedder.load(embedder.source)


def test_similar_sentences_are_closer_than_unrelated_ones(embedder: Embedder) -> None:
    a, b, c = embedder.embed([
        "Get today's temperature for a town from a weather service.",
        "Fetch the current weather for a city from a REST API.",
        "Apply deposit and withdrawal events to an account balance.",
    ])
    assert float(a @ b) > 0.6
    assert float(a @ b) > float(a @ c) + 0.3


def test_a_single_string_is_refused(embedder: Embedder) -> None:
    with pytest.raises(TypeError, match="sequence of strings"):
        embedder.embed("one string")  # type: ignore[arg-type]


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match=ENV_MODEL) as missing:
        Embedder(tmp_path / "no-such-model")
    assert "cannot load the embedding model" in str(missing.value)
    assert missing.value.code == "EMBEDDER_UNAVAILABLE"

    (tmp_path / "empty").mkdir()
    with pytest.raises(EmbedderError, match="cannot load"):
        Embedder(tmp_path / "empty")


def test_env_variable_chooses_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_MODEL, str(tmp_path / "elsewhere"))
    with pytest.raises(EmbedderError, match="elsewhere"):
        Embedder()
