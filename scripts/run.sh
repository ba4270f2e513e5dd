#!/usr/bin/env bash
# Set up, put the example requests into the inbox and start `dagster dev` (webserver + daemon).
# Embedded default: SQLite Dagster instance and metrics, local LanceDB, the offline model, no keys.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export DAGSTER_HOME=${DAGSTER_HOME:-$PWD/.dagster_home}
export NODEGEN_HOME=${NODEGEN_HOME:-$PWD/.nodegen}
export NODEGEN_INBOX=${NODEGEN_INBOX:-$PWD/requests/inbox}
export NODEGEN_OUTPUT_DIR=${NODEGEN_OUTPUT_DIR:-$PWD/generated_nodes}
export HF_HUB_OFFLINE=1
mkdir -p "$DAGSTER_HOME" "$NODEGEN_INBOX"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || cp config/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
.venv/bin/python -m nodegen_assets.pools   # per-provider concurrency limits from model_selection.yaml
# NODEGEN_EXAMPLES picks another folder of requests to start with (default: all examples).
cp "${NODEGEN_EXAMPLES:-examples/requests}"/* "$NODEGEN_INBOX/"
echo "nodegen: inbox $NODEGEN_INBOX, nodes -> $NODEGEN_OUTPUT_DIR, UI http://${DAGSTER_HOST:-127.0.0.1}:${DAGSTER_PORT:-3000}"
exec .venv/bin/dagster dev -h "${DAGSTER_HOST:-127.0.0.1}" -p "${DAGSTER_PORT:-3000}" -w workspace.yaml
