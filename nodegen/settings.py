"""Where things live, from environment variables with embedded defaults (no service needed).

NODEGEN_HOME          state folder (default ./.nodegen): SQLite metrics, LanceDB, parquet, reports
NODEGEN_DATABASE_URL  metrics store (default sqlite:///$NODEGEN_HOME/metrics.db)
NODEGEN_LANCEDB_URI   pattern store (default $NODEGEN_HOME/lancedb)
NODEGEN_INBOX         request inbox (default ./requests/inbox)
NODEGEN_OUTPUT_DIR    where nodes are written (default ./generated_nodes)
NODEGEN_CONFIG_DIR    models.yaml and model_selection.yaml (default ./config of the project)
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nodegen.config import DEFAULT_CONFIG_DIR


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    home: Path
    database_url: str
    lancedb_uri: str
    inbox: Path
    output_dir: Path
    config_dir: Path

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        home = Path(os.environ.get("NODEGEN_HOME", ".nodegen")).resolve()
        values: dict[str, object] = {
            "home": home,
            "database_url": os.environ.get("NODEGEN_DATABASE_URL", f"sqlite:///{home / 'metrics.db'}"),
            "lancedb_uri": os.environ.get("NODEGEN_LANCEDB_URI", str(home / "lancedb")),
            "inbox": Path(os.environ.get("NODEGEN_INBOX", "requests/inbox")).resolve(),
            "output_dir": Path(os.environ.get("NODEGEN_OUTPUT_DIR", "generated_nodes")).resolve(),
            "config_dir": Path(os.environ.get("NODEGEN_CONFIG_DIR", str(DEFAULT_CONFIG_DIR))).resolve(),
        }
        values.update(overrides)
        return cls.model_validate(values)
