"""Executes the analysis notebooks with nbclient against a real metrics store, given to the
kernel by env NODEGEN_DATABASE_URL: on an empty store (every cell prints "no data yet") and on
the constructed history (tables and charts come out)."""

from __future__ import annotations

import os
from pathlib import Path

import nbclient
import nbformat
import pytest

from nodegen.store import MetricsStore

from .conftest import History, populate

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["model_performance.ipynb", "learning_curve.ipynb"]


def _execute(path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NODEGEN_DATABASE_URL", database_url)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError on any failing cell
    return book


def _outputs(book) -> tuple[str, int]:
    texts, images = [], 0
    for cell in book.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            data = output.get("data", {})
            texts.append(data.get("text/plain", ""))
            images += "image/png" in data
    return "\n".join(texts), images


def _store(url: str, history: History | None) -> None:
    store = MetricsStore(url)
    try:
        store.upgrade()
        if history is not None:
            populate(store, history)
    finally:
        store.dispose()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_empty_store(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    _store(url, None)
    text, images = _outputs(_execute(ROOT / "notebooks" / name, url, monkeypatch))
    assert "0 stage calls, 0 generations" in text
    assert "no data yet" in text
    assert images == 0


@pytest.mark.slow
@pytest.mark.parametrize(("name", "charts"), [(NOTEBOOKS[0], 2), (NOTEBOOKS[1], 1)])
def test_notebook_runs_on_history(
    name: str, charts: int, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    _store(url, history)
    text, images = _outputs(_execute(ROOT / "notebooks" / name, url, monkeypatch))
    assert "2400 stage calls, 300 generations, 4 routing decisions" in text
    assert "no data yet" not in text
    assert images == charts


def test_notebooks_are_valid_and_use_the_project_api() -> None:
    for name in NOTEBOOKS:
        book = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        nbformat.validate(book)
        source = "\n".join(cell.source for cell in book.cells)
        assert "from nodegen.reports.notebook_data import load_frames" in source
        assert "NODEGEN_DATABASE_URL" in source
        assert all(not cell.get("outputs") for cell in book.cells if cell.cell_type == "code")
