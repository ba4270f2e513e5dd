"""Atomic writing of a node version under the output root.

The version folder is built in a hidden temp folder beside its destination and renamed into place,
so a crash leaves no partial node visible; hidden staging folders a crash left behind are removed
once they are older than any write could take. Nothing is written outside the output root, whatever the
names say, and an existing version is never overwritten: regeneration gets the next version.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath

import yaml

from nodegen.artifacts import NodeKind, NodeSource, WrittenNode
from nodegen.errors import WriteError

MANIFEST = "node.manifest.yaml"
PARTIAL_SUFFIX = ".partial"
# A staging folder this old belongs to a writer that died: writes take milliseconds.
STALE_PARTIAL_SECONDS = 15 * 60


def version_dir_name(version: str) -> str:
    return "v" + version.replace(".", "_")


def _inside(root: Path, target: Path) -> Path:
    resolved = target.resolve()
    if resolved != root and root not in resolved.parents:
        raise WriteError(f"refusing to write {target}: it is outside the output root {root}")
    return resolved


def _existing_versions(node_root: Path) -> list[str]:
    manifest = node_root / MANIFEST
    if manifest.exists():
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        return [str(v) for v in data.get("versions", [])]
    return []


def _next_version(versions: list[str]) -> str:
    if not versions:
        return "1.0.0"
    major, minor, patch = max(tuple(int(p) for p in v.split(".")) for v in versions)
    return f"{major}.{minor + 1}.0"


def _write_files(folder: Path, files: dict[str, str]) -> list[str]:
    written = []
    for relative, text in sorted(files.items()):
        rel = PurePosixPath(relative)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise WriteError(f"refusing to write file {relative!r}: not a plain relative path")
        path = _inside(folder.resolve(), folder / rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(rel.as_posix())
    return written


def _atomic_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_partials(output_root: Path, *, older_than_s: float = STALE_PARTIAL_SECONDS) -> list[Path]:
    """Delete the hidden staging folders (`node_*/.v*.partial`) that killed writers left behind.
    Younger ones may belong to a write in progress and are kept. Returns what was removed."""
    removed: list[Path] = []
    if not output_root.is_dir():
        return removed
    cutoff = time.time() - older_than_s
    for staging in output_root.glob(f"node_*/.v*{PARTIAL_SUFFIX}"):
        try:
            if staging.is_dir() and not staging.is_symlink() and staging.stat().st_mtime < cutoff:
                shutil.rmtree(staging)
                removed.append(staging)
        except FileNotFoundError:  # another sweeper got there first
            continue
    return removed


def write_node(output_root: Path, source: NodeSource, *, name: str, kind: NodeKind) -> WrittenNode:
    """Write `source` as the next version of node_<name>_<kind> and update its manifest."""
    expected = f"node_{name}_{kind.value}"
    if source.node_dir_name != expected:
        raise WriteError(f"node folder {source.node_dir_name!r} does not match {expected!r}")
    try:
        output_root.mkdir(parents=True, exist_ok=True)
        root = output_root.resolve()
        node_root = _inside(root, root / expected)
        node_root.mkdir(exist_ok=True)
        versions = _existing_versions(node_root)
        version = source.version if source.version not in versions else _next_version(versions)
        while (node_root / version_dir_name(version)).exists():
            version = _next_version([*versions, version])
        final = node_root / version_dir_name(version)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=PARTIAL_SUFFIX, dir=node_root))
        try:
            files = _write_files(staging, source.files)
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        versions = sorted({*versions, version}, key=lambda v: tuple(int(p) for p in v.split(".")))
        manifest = {
            "name": expected,
            "kind": kind.value,
            "versions": versions,
            "latest": versions[-1],
        }
        _atomic_text(node_root / MANIFEST, yaml.safe_dump(manifest, sort_keys=False))
    except OSError as exc:
        raise WriteError(f"cannot write node {expected} under {output_root}: {exc.strerror or exc}") from exc
    return WrittenNode(node_root=str(node_root), version_dir=str(final), version=version, files=files)
