"""`NodegenResource`: where nodegen keeps its state and which secrets it may use.

Every path defaults to the embedded layout of `nodegen.settings.Settings` (SQLite, local LanceDB,
./generated_nodes), so a plain `dagster dev` needs no configuration. Secrets are `EnvVar` fields:
their values reach the providers and nothing else (never metadata, logs or generated code).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from nodegen.patterns.store import PatternStore
from nodegen.services import PipelineServices
from nodegen.settings import Settings
from nodegen.store import MetricsStore


@cache
def _metrics_store(database_url: str) -> MetricsStore:
    store = MetricsStore(database_url)
    store.upgrade()
    return store


@cache
def _pattern_store(uri: str) -> PatternStore:
    from nodegen.patterns.library import open_pattern_store

    return open_pattern_store(uri)


@cache
def _services(settings_json: str, secrets: tuple[tuple[str, str], ...], with_patterns: bool) -> PipelineServices:
    """One PipelineServices per process and configuration: models and stores load once."""
    settings = Settings.model_validate_json(settings_json)
    return PipelineServices.from_settings(settings, with_patterns=with_patterns, secrets=dict(secrets))


class NodegenResource(ConfigurableResource):
    """Stores, model catalogue, routing and output folder for the pipeline stages."""

    home: str | None = Field(default=None, description="State folder (default $NODEGEN_HOME or ./.nodegen)")
    database_url: str | None = Field(default=None, description="Metrics store URL (default SQLite in home)")
    lancedb_uri: str | None = Field(default=None, description="Pattern store URI (default home/lancedb)")
    inbox: str | None = Field(default=None, description="Request inbox (default ./requests/inbox)")
    output_dir: str | None = Field(default=None, description="Node output root (default ./generated_nodes)")
    config_dir: str | None = Field(default=None, description="Folder with models.yaml, model_selection.yaml")
    use_patterns: bool = Field(default=True, description="Retrieve from and feed the pattern library")
    abandoned_after_minutes: float = Field(
        default=30.0, gt=0,
        description="A running generation with no stage call for this long is closed as failed "
        "(its run process died); longer than your slowest model call",
    )
    anthropic_api_key: str | None = Field(default=None, description="ANTHROPIC_API_KEY (an EnvVar)")
    openai_api_key: str | None = Field(default=None, description="OPENAI_API_KEY (an EnvVar)")

    def settings(self) -> Settings:
        overrides: dict[str, object] = {}
        if self.home:
            overrides["home"] = Path(self.home).resolve()
        for field in ("inbox", "output_dir", "config_dir"):
            value = getattr(self, field)
            if value:
                overrides[field] = Path(value).resolve()
        if self.database_url:
            overrides["database_url"] = self.database_url
        if self.lancedb_uri:
            overrides["lancedb_uri"] = self.lancedb_uri
        settings = Settings.from_env(**overrides)
        if self.home and not self.database_url:
            settings = settings.model_copy(update={"database_url": f"sqlite:///{settings.home / 'metrics.db'}"})
        if self.home and not self.lancedb_uri:
            settings = settings.model_copy(update={"lancedb_uri": str(settings.home / "lancedb")})
        return settings

    def services(self) -> PipelineServices:
        secrets = tuple(
            (env, value)
            for env, value in (("ANTHROPIC_API_KEY", self.anthropic_api_key), ("OPENAI_API_KEY", self.openai_api_key))
            if value
        )
        return _services(self.settings().model_dump_json(), secrets, self.use_patterns)

    def metrics_store(self) -> MetricsStore:
        """The metrics store alone (schema upgraded), for assets that do not run stages."""
        return _metrics_store(self.settings().database_url)

    def pattern_store(self) -> PatternStore:
        """The pattern library (seeded on first open), for the pattern assets."""
        return _pattern_store(self.settings().lancedb_uri)
