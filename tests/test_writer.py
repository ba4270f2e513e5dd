"""Atomic node writing: versions, manifest, no escape from the output root, no partial folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from nodegen.artifacts import NodeKind, NodeSource
from nodegen.errors import WriteError
from nodegen.writer import write_node


def _source(files: dict[str, str] | None = None) -> NodeSource:
    return NodeSource(
        node_dir_name="node_rates_effect",
        files=files or {"__init__.py": "", "node.py": "x = 1\n", "models/__init__.py": ""},
    )


def test_regeneration_writes_a_new_version_and_updates_the_manifest(tmp_path: Path) -> None:
    first = write_node(tmp_path, _source(), name="rates", kind=NodeKind.EFFECT)
    second = write_node(tmp_path, _source(), name="rates", kind=NodeKind.EFFECT)
    assert Path(first.version_dir).name == "v1_0_0" and Path(second.version_dir).name == "v1_1_0"
    assert (Path(first.version_dir) / "node.py").read_text() == "x = 1\n"
    manifest = yaml.safe_load((tmp_path / "node_rates_effect" / "node.manifest.yaml").read_text())
    assert manifest == {"name": "node_rates_effect", "kind": "effect", "versions": ["1.0.0", "1.1.0"], "latest": "1.1.0"}


@pytest.mark.parametrize("bad", ["../escape.py", "/etc/passwd", "models/../../x.py"])
def test_file_paths_cannot_escape(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(WriteError):
        write_node(out, _source({bad: "boom"}), name="rates", kind=NodeKind.EFFECT)
    assert not (tmp_path / "escape.py").exists()
    assert not any(p.name.endswith(".partial") for p in (out / "node_rates_effect").iterdir())
    assert not (out / "node_rates_effect" / "v1_0_0").exists()


def test_folder_must_match_name_and_kind(tmp_path: Path) -> None:
    with pytest.raises(WriteError):
        write_node(tmp_path, _source(), name="other", kind=NodeKind.EFFECT)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_output_gives_clear_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(WriteError, match="cannot write node"):
            write_node(tmp_path / "out", _source(), name="rates", kind=NodeKind.EFFECT)
    finally:
        tmp_path.chmod(0o700)


def test_unwritable_output_root_gives_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(WriteError, match="cannot write node"):
        write_node(blocker / "out", _source(), name="rates", kind=NodeKind.EFFECT)
