"""The daily quality report: how generation is going and whether model migrations paid off.

Built from the three metrics-store frames (taken as arguments, so this module does not depend
on the store): success-rate and cost trends from `generations`, per-stage model split,
quality and latency from `stage_metrics`, migrations and rollbacks from
`model_selection_decisions`. Every number is a plain field of a pydantic model (so the Dagster
asset can put them in metadata and tests can check them); charts are small base64 PNGs.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from nodegen.reports import frames as fr
from nodegen.stages import STAGE_ORDER

_MAX_DECISIONS = 50
_TOP_PATTERNS = 10


class DailyPoint(BaseModel):
    """One UTC day of the window; rates are None on days without generations."""

    model_config = ConfigDict(extra="forbid")

    day: date
    generations: int
    successes: int
    success_rate: float | None
    total_cost_usd: float
    cost_per_generation: float | None
    mean_quality: float | None


class StageModelShare(BaseModel):
    """How much of a stage's traffic a model served, over the window and on its first/last day."""

    model_config = ConfigDict(extra="forbid")

    stage: str
    model: str
    calls: int
    share: float
    first_day_share: float
    last_day_share: float
    mean_quality: float
    mean_cost_usd: float


class StageQuality(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str
    samples: int
    mean_quality: float
    success_rate: float
    mean_cost_usd: float


class StageLatency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str
    samples: int
    p50_ms: float
    p95_ms: float


class DecisionSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_id: str
    timestamp: datetime
    stage: str
    node_kind: str | None
    kind: str
    previous_model: str
    new_model: str
    reason: str
    status: str | None


class PatternReuse(BaseModel):
    """Share of generations (and stage calls) that used at least one retrieved pattern."""

    model_config = ConfigDict(extra="forbid")

    generations: int
    generations_with_patterns: int
    rate: float | None
    stage_calls_with_patterns: int
    stage_call_rate: float | None
    distinct_patterns: int
    top_patterns: list[tuple[str, int]] = Field(default_factory=list)


class Chart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    title: str
    png_base64: str

    @property
    def size_bytes(self) -> int:
        return len(base64.b64decode(self.png_base64))

    def data_uri(self) -> str:
        return f"data:image/png;base64,{self.png_base64}"


class QualityReport(BaseModel):
    """The report for the `days` UTC days ending with `day` (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    day: date
    days: int
    window_start: datetime
    window_end: datetime = Field(description="exclusive")
    generated_at: datetime

    total_generations: int
    successes: int
    success_rate: float | None
    total_cost_usd: float
    cost_per_generation: float | None
    mean_quality: float | None
    success_rate_first_week: float | None
    success_rate_last_week: float | None
    cost_per_generation_first_week: float | None
    cost_per_generation_last_week: float | None

    daily: list[DailyPoint]
    model_distribution: list[StageModelShare]
    quality_by_stage: list[StageQuality]
    latency_by_stage: list[StageLatency]
    migrations: list[DecisionSummary]
    rollbacks: list[DecisionSummary]
    canaries: list[DecisionSummary]
    pattern_reuse: PatternReuse
    stage_calls: int
    charts: list[Chart] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.total_generations == 0 and self.stage_calls == 0

    def chart(self, name: str) -> Chart:
        for chart in self.charts:
            if chart.name == name:
                return chart
        raise KeyError(f"no chart named {name!r}; have {[c.name for c in self.charts]}")

    def summary(self) -> dict[str, float | int | None]:
        """Headline numbers, for Dagster metadata or a log line."""
        return {
            "total_generations": self.total_generations,
            "success_rate": self.success_rate,
            "total_cost_usd": round(self.total_cost_usd, 6),
            "cost_per_generation": self.cost_per_generation,
            "mean_quality": self.mean_quality,
            "pattern_reuse_rate": self.pattern_reuse.rate,
            "migrations": len(self.migrations),
            "rollbacks": len(self.rollbacks),
        }

    def to_markdown(self) -> str:
        """Markdown with embedded data-URI PNGs (the Dagster UI renders these)."""
        return _render(self, _MARKDOWN)

    def to_html(self) -> str:
        return _render(self, _HTML)

    def write_html(self, path: str | Path) -> Path:
        """Write one self-contained HTML file (images inline); returns the path written."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_html(), encoding="utf-8")
        return target


# ---------------------------------------------------------------------------------------------
# computation


def _stage_sort_key(stage: str) -> tuple[int, str]:
    order = {s.value: i for i, s in enumerate(STAGE_ORDER)}
    return (order.get(stage, len(order)), stage)


def _rate(num: float, den: float) -> float | None:
    return float(num) / float(den) if den else None


def _default_day(stages: pd.DataFrame, gens: pd.DataFrame) -> date:
    latest: list[pd.Timestamp] = []
    if len(gens):
        latest.append(gens["created_at"].max())
    if len(stages):
        latest.append(stages["timestamp"].max())
    latest = [t for t in latest if not pd.isna(t)]
    if not latest:
        return datetime.now(UTC).date()
    return max(latest).date()


def _daily(gens: pd.DataFrame, start: date, days: int) -> list[DailyPoint]:
    days_index = pd.date_range(pd.Timestamp(start, tz=UTC), periods=days, freq="D")
    if len(gens):
        g = gens.assign(_day=gens["created_at"].dt.floor("D"))
        agg = g.groupby("_day").agg(
            generations=("success", "size"),
            successes=("success", "sum"),
            cost=("total_cost_usd", "sum"),
            quality=("quality_score", "mean"),
        )
        agg = agg.reindex(days_index)
    else:
        agg = pd.DataFrame(
            index=days_index, columns=["generations", "successes", "cost", "quality"], dtype=float
        )
    points = []
    for ts, row in agg.iterrows():
        n = 0 if pd.isna(row["generations"]) else int(row["generations"])
        ok = 0 if pd.isna(row["successes"]) else int(row["successes"])
        cost = 0.0 if pd.isna(row["cost"]) else float(row["cost"])
        points.append(
            DailyPoint(
                day=ts.date(),
                generations=n,
                successes=ok,
                success_rate=_rate(ok, n),
                total_cost_usd=cost,
                cost_per_generation=_rate(cost, n),
                mean_quality=None if n == 0 else float(row["quality"]),
            )
        )
    return points


def _period(points: list[DailyPoint]) -> tuple[float | None, float | None]:
    n = sum(p.generations for p in points)
    return (
        _rate(sum(p.successes for p in points), n),
        _rate(sum(p.total_cost_usd for p in points), n),
    )


def _model_distribution(stages: pd.DataFrame) -> list[StageModelShare]:
    if stages.empty:
        return []
    day = stages["timestamp"].dt.floor("D")
    s = stages.assign(_day=day)
    per = s.groupby(["stage", "model_used"]).agg(
        calls=("quality_score", "size"),
        mean_quality=("quality_score", "mean"),
        mean_cost=("cost_usd", "mean"),
    )
    stage_totals = per.groupby(level="stage")["calls"].transform("sum")
    per["share"] = per["calls"] / stage_totals

    first_day = s.groupby("stage")["_day"].transform("min")
    last_day = s.groupby("stage")["_day"].transform("max")

    def day_shares(mask: pd.Series) -> pd.Series:
        counts = s[mask].groupby(["stage", "model_used"]).size()
        return counts / counts.groupby(level="stage").transform("sum")

    first = day_shares(s["_day"] == first_day)
    last = day_shares(s["_day"] == last_day)
    out = []
    for (stage, model), row in per.iterrows():
        out.append(
            StageModelShare(
                stage=str(stage),
                model=str(model),
                calls=int(row["calls"]),
                share=float(row["share"]),
                first_day_share=float(first.get((stage, model), 0.0)),
                last_day_share=float(last.get((stage, model), 0.0)),
                mean_quality=float(row["mean_quality"]),
                mean_cost_usd=float(row["mean_cost"]),
            )
        )
    out.sort(key=lambda m: (_stage_sort_key(m.stage), -m.calls, m.model))
    return out


def _quality_by_stage(stages: pd.DataFrame) -> list[StageQuality]:
    if stages.empty:
        return []
    agg = stages.groupby("stage").agg(
        samples=("quality_score", "size"),
        mean_quality=("quality_score", "mean"),
        success_rate=("success", "mean"),
        mean_cost=("cost_usd", "mean"),
    )
    out = [
        StageQuality(
            stage=str(stage),
            samples=int(row["samples"]),
            mean_quality=float(row["mean_quality"]),
            success_rate=float(row["success_rate"]),
            mean_cost_usd=float(row["mean_cost"]),
        )
        for stage, row in agg.iterrows()
    ]
    return sorted(out, key=lambda q: _stage_sort_key(q.stage))


def _latency_by_stage(stages: pd.DataFrame) -> list[StageLatency]:
    if stages.empty:
        return []
    grouped = stages.groupby("stage")["latency_ms"]
    q = grouped.quantile([0.5, 0.95]).unstack()
    sizes = grouped.size()
    out = [
        StageLatency(
            stage=str(stage),
            samples=int(sizes[stage]),
            p50_ms=float(q.loc[stage, 0.5]),
            p95_ms=float(q.loc[stage, 0.95]),
        )
        for stage in q.index
    ]
    return sorted(out, key=lambda x: _stage_sort_key(x.stage))


def _pattern_reuse(stages: pd.DataFrame) -> PatternReuse:
    if stages.empty:
        return PatternReuse(
            generations=0,
            generations_with_patterns=0,
            rate=None,
            stage_calls_with_patterns=0,
            stage_call_rate=None,
            distinct_patterns=0,
        )
    mask = fr.has_patterns(stages["patterns_used"])
    generations = int(stages["correlation_id"].nunique())
    with_patterns = int(stages.loc[mask, "correlation_id"].nunique())
    ids = pd.Series(
        [p for value in stages.loc[mask, "patterns_used"] for p in fr.parse_patterns(value)],
        dtype=object,
    )
    counts = ids.value_counts() if len(ids) else pd.Series(dtype=int)
    top = [(str(k), int(v)) for k, v in counts.head(_TOP_PATTERNS).items()]
    return PatternReuse(
        generations=generations,
        generations_with_patterns=with_patterns,
        rate=_rate(with_patterns, generations),
        stage_calls_with_patterns=int(mask.sum()),
        stage_call_rate=_rate(int(mask.sum()), len(stages)),
        distinct_patterns=int(len(counts)),
        top_patterns=top,
    )


def _decisions(decisions: pd.DataFrame) -> dict[str, list[DecisionSummary]]:
    out: dict[str, list[DecisionSummary]] = {"migrate": [], "rollback": [], "canary": []}
    if decisions.empty:
        return out
    ordered = decisions.sort_values("timestamp", ascending=False)
    for row in ordered.itertuples(index=False):
        kind = str(row.kind)
        if kind not in out or len(out[kind]) >= _MAX_DECISIONS:
            continue
        out[kind].append(
            DecisionSummary(
                decision_id=str(row.decision_id),
                timestamp=fr.to_py(row.timestamp),
                stage=str(row.stage),
                node_kind=None if pd.isna(row.node_kind) else str(row.node_kind),
                kind=kind,
                previous_model=str(row.previous_model),
                new_model=str(row.new_model),
                reason="" if pd.isna(row.reason) else str(row.reason),
                status=None if pd.isna(row.status) else str(row.status),
            )
        )
    return out


def _current_model_share_series(
    stages: pd.DataFrame, start: date, days: int
) -> tuple[list[date], dict[str, list[float | None]]]:
    """Per stage: daily share of the model that served most of the stage on its last day."""
    x = [start + timedelta(days=i) for i in range(days)]
    if stages.empty:
        return x, {}
    s = stages.assign(_day=stages["timestamp"].dt.floor("D"))
    counts = s.groupby(["stage", "_day", "model_used"]).size()
    totals = counts.groupby(level=["stage", "_day"]).transform("sum")
    shares = (counts / totals).rename("share").reset_index()
    series: dict[str, list[float | None]] = {}
    for stage in sorted(shares["stage"].unique(), key=_stage_sort_key):
        st = shares[shares["stage"] == stage]
        last = st[st["_day"] == st["_day"].max()]
        current = last.sort_values("share", ascending=False)["model_used"].iloc[0]
        by_day = st[st["model_used"] == current].set_index("_day")["share"]
        present = set(st["_day"])
        values: list[float | None] = []
        for d in x:
            ts = pd.Timestamp(d, tz=UTC)
            values.append(float(by_day.get(ts, 0.0)) if ts in present else None)
        # only stages whose split changed are interesting on the migration chart
        known = [v for v in values if v is not None]
        if known and (max(known) - min(known)) > 1e-9:
            series[f"{stage}: {current}"] = values
    return x, series


def _charts(report: QualityReport, stages: pd.DataFrame) -> list[Chart]:
    from nodegen.reports import charts as ch

    x = [p.day for p in report.daily]
    out = [
        Chart(
            name="success_rate",
            title="Success rate per day",
            png_base64=ch.line_chart(
                "Success rate per day",
                x,
                {"success rate": [p.success_rate for p in report.daily]},
                ylim=(0.0, 1.05),
            ),
        ),
        Chart(
            name="cost_per_generation",
            title="Cost per generation (USD)",
            png_base64=ch.line_chart(
                "Cost per generation (USD)",
                x,
                {"cost": [p.cost_per_generation for p in report.daily]},
                ylabel="USD",
            ),
        ),
    ]
    if report.model_distribution:
        labels = sorted({m.stage for m in report.model_distribution}, key=_stage_sort_key)
        models = sorted({m.model for m in report.model_distribution})
        lookup = {(m.stage, m.model): m.last_day_share for m in report.model_distribution}
        shares = {model: [lookup.get((st, model), 0.0) for st in labels] for model in models}
        out.append(
            Chart(
                name="model_distribution",
                title="Model share per stage (last day)",
                png_base64=ch.stacked_share_chart(
                    "Model share per stage (last day)", labels, shares
                ),
            )
        )
        days_x, series = _current_model_share_series(
            stages, report.window_start.date(), report.days
        )
        if series:
            out.append(
                Chart(
                    name="migration_progress",
                    title="Share of the current model per day",
                    png_base64=ch.line_chart(
                        "Share of the current model per day", days_x, series, ylim=(0.0, 1.05)
                    ),
                )
            )
    if report.quality_by_stage:
        labels = [q.stage for q in report.quality_by_stage]
        out.append(
            Chart(
                name="quality_by_stage",
                title="Quality and success rate by stage",
                png_base64=ch.bar_chart(
                    "Quality and success rate by stage",
                    labels,
                    {
                        "mean quality": [q.mean_quality for q in report.quality_by_stage],
                        "success rate": [q.success_rate for q in report.quality_by_stage],
                    },
                    ylim=(0.0, 1.05),
                ),
            )
        )
    if report.latency_by_stage:
        labels = [q.stage for q in report.latency_by_stage]
        out.append(
            Chart(
                name="latency_by_stage",
                title="Latency by stage (ms)",
                png_base64=ch.bar_chart(
                    "Latency by stage (ms)",
                    labels,
                    {
                        "p50": [q.p50_ms for q in report.latency_by_stage],
                        "p95": [q.p95_ms for q in report.latency_by_stage],
                    },
                    ylabel="ms",
                ),
            )
        )
    return out


def build_quality_report(
    stage_frame: pd.DataFrame | None,
    generations_frame: pd.DataFrame | None,
    decisions_frame: pd.DataFrame | None,
    *,
    day: date | None = None,
    days: int = 30,
    charts: bool = True,
    now: datetime | None = None,
) -> QualityReport:
    """Report over the `days` UTC days ending with `day` (inclusive).

    `day=None` means the latest day that has data (today, UTC, when the frames are empty), so a
    report over a historical trace needs no date. Rows outside the window are ignored.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    stages = fr.stage_frame(stage_frame)
    gens = fr.generations_frame(generations_frame)
    decs = fr.decisions_frame(decisions_frame)

    end_day = day if day is not None else _default_day(stages, gens)
    start_day = end_day - timedelta(days=days - 1)
    window_start = datetime.combine(start_day, time(0), tzinfo=UTC)
    window_end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=UTC)
    lo, hi = pd.Timestamp(window_start), pd.Timestamp(window_end)

    stages = stages[(stages["timestamp"] >= lo) & (stages["timestamp"] < hi)]
    gens = gens[(gens["created_at"] >= lo) & (gens["created_at"] < hi)]
    decs = decs[(decs["timestamp"] >= lo) & (decs["timestamp"] < hi)]

    daily = _daily(gens, start_day, days)
    total = sum(p.generations for p in daily)
    successes = sum(p.successes for p in daily)
    cost = float(sum(p.total_cost_usd for p in daily))
    week = min(7, days)
    first_sr, first_cpg = _period(daily[:week])
    last_sr, last_cpg = _period(daily[-week:])
    decisions = _decisions(decs)

    report = QualityReport(
        day=end_day,
        days=days,
        window_start=window_start,
        window_end=window_end,
        generated_at=now or datetime.now(UTC),
        total_generations=total,
        successes=successes,
        success_rate=_rate(successes, total),
        total_cost_usd=cost,
        cost_per_generation=_rate(cost, total),
        mean_quality=float(np.mean(gens["quality_score"])) if len(gens) else None,
        success_rate_first_week=first_sr,
        success_rate_last_week=last_sr,
        cost_per_generation_first_week=first_cpg,
        cost_per_generation_last_week=last_cpg,
        daily=daily,
        model_distribution=_model_distribution(stages),
        quality_by_stage=_quality_by_stage(stages),
        latency_by_stage=_latency_by_stage(stages),
        migrations=decisions["migrate"],
        rollbacks=decisions["rollback"],
        canaries=decisions["canary"],
        pattern_reuse=_pattern_reuse(stages),
        stage_calls=len(stages),
    )
    if charts:
        report.charts = _charts(report, stages)
    return report


# ---------------------------------------------------------------------------------------------
# rendering


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "n/a" if value is None else format(value, spec)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


_ENV = Environment(
    autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
)
_ENV.filters.update(fmt=_fmt, pct=_pct, cell=_md_cell)
_HTML_ENV = Environment(
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_HTML_ENV.filters.update(fmt=_fmt, pct=_pct)

_MARKDOWN = _ENV.from_string(
    """# Quality report — {{ r.window_start.date() }} to {{ r.day }} ({{ r.days }} days)

{% if r.is_empty %}
_No generations in this window yet._
{% endif %}
| generations | success rate | total cost (USD) | cost / generation | mean quality | pattern reuse |
|---:|---:|---:|---:|---:|---:|
| {{ r.total_generations }} | {{ r.success_rate | pct }} | {{ r.total_cost_usd | fmt(".4f") }} \
| {{ r.cost_per_generation | fmt(".5f") }} | {{ r.mean_quality | fmt }} | {{ r.pattern_reuse.rate | pct }} |

Trend (first {{ week }} days → last {{ week }} days): success rate \
{{ r.success_rate_first_week | pct }} → {{ r.success_rate_last_week | pct }}; cost per generation \
{{ r.cost_per_generation_first_week | fmt(".5f") }} → {{ r.cost_per_generation_last_week | fmt(".5f") }} USD.

{% for c in r.charts if c.name in ("success_rate", "cost_per_generation") %}
![{{ c.title }}]({{ c.data_uri() }})
{% endfor %}

## Model distribution per stage
{% if r.model_distribution %}
| stage | model | calls | share | first day | last day | mean quality | mean cost (USD) |
|---|---|---:|---:|---:|---:|---:|---:|
{% for m in r.model_distribution %}
| {{ m.stage | cell }} | {{ m.model | cell }} | {{ m.calls }} | {{ m.share | pct }} | \
{{ m.first_day_share | pct }} | {{ m.last_day_share | pct }} | {{ m.mean_quality | fmt }} | \
{{ m.mean_cost_usd | fmt(".5f") }} |
{% endfor %}
{% else %}
_No stage calls in this window._
{% endif %}

{% for c in r.charts if c.name in ("model_distribution", "migration_progress") %}
![{{ c.title }}]({{ c.data_uri() }})
{% endfor %}

## Migrations and rollbacks
{% set decisions = r.migrations + r.rollbacks %}
{% if decisions %}
| time (UTC) | kind | stage | from | to | reason |
|---|---|---|---|---|---|
{% for d in decisions | sort(attribute="timestamp", reverse=True) %}
| {{ d.timestamp.strftime("%Y-%m-%d %H:%M") }} | {{ d.kind }} | {{ d.stage | cell }} | \
{{ d.previous_model | cell }} | {{ d.new_model | cell }} | {{ d.reason | cell }} |
{% endfor %}
{% else %}
_No migrations or rollbacks in this window._
{% endif %}

## Quality and latency by stage
{% if r.quality_by_stage %}
| stage | calls | mean quality | success rate | p50 latency (ms) | p95 latency (ms) |
|---|---:|---:|---:|---:|---:|
{% for q in r.quality_by_stage %}
{% set l = latency[q.stage] %}
| {{ q.stage | cell }} | {{ q.samples }} | {{ q.mean_quality | fmt }} | {{ q.success_rate | pct }} | \
{{ l.p50_ms | fmt(".0f") }} | {{ l.p95_ms | fmt(".0f") }} |
{% endfor %}
{% else %}
_No stage calls in this window._
{% endif %}

{% for c in r.charts if c.name in ("quality_by_stage", "latency_by_stage") %}
![{{ c.title }}]({{ c.data_uri() }})
{% endfor %}

## Pattern reuse
{{ r.pattern_reuse.generations_with_patterns }} of {{ r.pattern_reuse.generations }} generations \
({{ r.pattern_reuse.rate | pct }}) used at least one retrieved pattern; \
{{ r.pattern_reuse.distinct_patterns }} distinct patterns.
{% if r.pattern_reuse.top_patterns %}
Most used: {% for pid, n in r.pattern_reuse.top_patterns %}`{{ pid }}` ({{ n }}){{ ", " if not loop.last }}\
{% endfor %}.
{% endif %}

## Daily
| day | generations | success rate | cost / generation | mean quality |
|---|---:|---:|---:|---:|
{% for p in r.daily %}
| {{ p.day }} | {{ p.generations }} | {{ p.success_rate | pct }} | {{ p.cost_per_generation | fmt(".5f") }} \
| {{ p.mean_quality | fmt }} |
{% endfor %}
"""
)

_HTML = _HTML_ENV.from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>nodegen quality report {{ r.day }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:2px 8px;
font-size:.85rem}td.n{text-align:right}img{margin:.3rem}h2{margin-top:1.6rem}
</style></head><body>
<h1>Quality report: {{ r.window_start.date() }} to {{ r.day }} ({{ r.days }} days)</h1>
<p>Generated {{ r.generated_at.strftime("%Y-%m-%d %H:%M UTC") }}.</p>
{% if r.is_empty %}<p><em>No generations in this window yet.</em></p>{% endif %}
<table><tr><th>generations</th><th>success rate</th><th>total cost (USD)</th>
<th>cost / generation</th><th>mean quality</th><th>pattern reuse</th></tr>
<tr><td class="n">{{ r.total_generations }}</td><td class="n">{{ r.success_rate | pct }}</td>
<td class="n">{{ r.total_cost_usd | fmt(".4f") }}</td>
<td class="n">{{ r.cost_per_generation | fmt(".5f") }}</td>
<td class="n">{{ r.mean_quality | fmt }}</td><td class="n">{{ r.pattern_reuse.rate | pct }}</td></tr>
</table>
<p>Trend (first {{ week }} days → last {{ week }} days): success rate
{{ r.success_rate_first_week | pct }} → {{ r.success_rate_last_week | pct }}; cost per generation
{{ r.cost_per_generation_first_week | fmt(".5f") }} → {{ r.cost_per_generation_last_week | fmt(".5f") }} USD.</p>
<div>{% for c in r.charts %}<img alt="{{ c.title }}" title="{{ c.title }}" src="{{ c.data_uri() }}">
{% endfor %}</div>
<h2>Model distribution per stage</h2>
<table><tr><th>stage</th><th>model</th><th>calls</th><th>share</th><th>first day</th>
<th>last day</th><th>mean quality</th><th>mean cost (USD)</th></tr>
{% for m in r.model_distribution %}<tr><td>{{ m.stage }}</td><td>{{ m.model }}</td>
<td class="n">{{ m.calls }}</td><td class="n">{{ m.share | pct }}</td>
<td class="n">{{ m.first_day_share | pct }}</td><td class="n">{{ m.last_day_share | pct }}</td>
<td class="n">{{ m.mean_quality | fmt }}</td><td class="n">{{ m.mean_cost_usd | fmt(".5f") }}</td></tr>
{% endfor %}</table>
<h2>Migrations and rollbacks</h2>
<table><tr><th>time (UTC)</th><th>kind</th><th>stage</th><th>from</th><th>to</th><th>reason</th></tr>
{% for d in (r.migrations + r.rollbacks) | sort(attribute="timestamp", reverse=True) %}
<tr><td>{{ d.timestamp.strftime("%Y-%m-%d %H:%M") }}</td><td>{{ d.kind }}</td><td>{{ d.stage }}</td>
<td>{{ d.previous_model }}</td><td>{{ d.new_model }}</td><td>{{ d.reason }}</td></tr>
{% endfor %}</table>
<h2>Quality and latency by stage</h2>
<table><tr><th>stage</th><th>calls</th><th>mean quality</th><th>success rate</th><th>p50 ms</th>
<th>p95 ms</th></tr>
{% for q in r.quality_by_stage %}{% set l = latency[q.stage] %}<tr><td>{{ q.stage }}</td>
<td class="n">{{ q.samples }}</td><td class="n">{{ q.mean_quality | fmt }}</td>
<td class="n">{{ q.success_rate | pct }}</td><td class="n">{{ l.p50_ms | fmt(".0f") }}</td>
<td class="n">{{ l.p95_ms | fmt(".0f") }}</td></tr>
{% endfor %}</table>
<h2>Pattern reuse</h2>
<p>{{ r.pattern_reuse.generations_with_patterns }} of {{ r.pattern_reuse.generations }} generations
({{ r.pattern_reuse.rate | pct }}) used at least one retrieved pattern;
{{ r.pattern_reuse.distinct_patterns }} distinct patterns.</p>
<h2>Daily</h2>
<table><tr><th>day</th><th>generations</th><th>success rate</th><th>cost / generation</th>
<th>mean quality</th></tr>
{% for p in r.daily %}<tr><td>{{ p.day }}</td><td class="n">{{ p.generations }}</td>
<td class="n">{{ p.success_rate | pct }}</td><td class="n">{{ p.cost_per_generation | fmt(".5f") }}</td>
<td class="n">{{ p.mean_quality | fmt }}</td></tr>
{% endfor %}</table>
</body></html>
"""
)


def _render(report: QualityReport, template: object) -> str:
    latency = {entry.stage: entry for entry in report.latency_by_stage}
    return template.render(r=report, latency=latency, week=min(7, report.days))  # type: ignore[attr-defined]
