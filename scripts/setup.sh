#!/usr/bin/env bash
# Create .venv and install nodegen with everything it needs (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch is pinned to the CPU build that pip finds locally; the rest comes from PyPI.
.venv/bin/python -m pip install --quiet -e ".[dev]"
