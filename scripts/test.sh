#!/usr/bin/env bash
# Set up and run the whole test suite (PostgreSQL tests run against NODEGEN_TEST_POSTGRES_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest -q "$@"
