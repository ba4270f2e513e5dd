"""The report's numbers against the constructed history, its charts, markdown and HTML."""

from __future__ import annotations

import base64
import io
import re
from datetime import date

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from nodegen.reports import build_quality_report
from nodegen.reports.charts import PNG_SIGNATURE
from nodegen.reports.frames import FrameError

from .conftest import PER_DAY, History

DAY = date(2025, 3, 10)


@pytest.fixture(scope="module")
def report(history: History):
    return build_quality_report(
        history.stages, history.generations, history.decisions, day=DAY, days=10
    )


def test_headline_numbers(report) -> None:
    assert report.total_generations == 300
    assert report.successes == 5 * 27 + 5 * 28
    assert report.success_rate == pytest.approx(275 / 300)
    assert report.total_cost_usd == pytest.approx(150 * 0.02 + 150 * 0.005)
    assert report.cost_per_generation == pytest.approx(0.0125)
    # first 7 days: five days at 27/30 then two at 28/30; last 7: two at 27, five at 28
    assert report.success_rate_first_week == pytest.approx((5 * 27 + 2 * 28) / 210)
    assert report.success_rate_last_week == pytest.approx((2 * 27 + 5 * 28) / 210)
    assert report.cost_per_generation_first_week == pytest.approx((150 * 0.02 + 60 * 0.005) / 210)
    assert report.cost_per_generation_last_week == pytest.approx((60 * 0.02 + 150 * 0.005) / 210)
    assert report.window_start.isoformat() == "2025-03-01T00:00:00+00:00"
    assert report.stage_calls == 2400


def test_daily_trend(report) -> None:
    assert [p.day for p in report.daily] == [date(2025, 3, d) for d in range(1, 11)]
    assert [p.generations for p in report.daily] == [PER_DAY] * 10
    assert [p.successes for p in report.daily] == [27] * 5 + [28] * 5
    assert [p.cost_per_generation for p in report.daily] == pytest.approx([0.02] * 5 + [0.005] * 5)


def test_model_distribution_shows_migration_progress(report) -> None:
    dist = {(m.stage, m.model): m for m in report.model_distribution}
    big, small = dist[("prd_analysis", "big")], dist[("prd_analysis", "small")]
    assert (big.calls, small.calls) == (150, 150)
    assert big.share == pytest.approx(0.5)
    assert (big.first_day_share, big.last_day_share) == (1.0, 0.0)
    assert (small.first_day_share, small.last_day_share) == (0.0, 1.0)
    assert big.mean_cost_usd == pytest.approx(0.01)
    # contract: 8 full days + 15 calls of 2025-03-09 on big, the rest on small
    assert dist[("contract", "big")].calls == 255
    assert dist[("contract", "small")].calls == 45
    assert dist[("contract", "small")].last_day_share == 1.0
    assert dist[("contract", "small")].mean_quality == pytest.approx(0.75)
    assert dist[("business_logic", "gpt")].share == 1.0
    # stage order follows the pipeline
    assert report.model_distribution[0].stage == "prd_analysis"


def test_quality_and_latency_by_stage(report, history: History) -> None:
    quality = {q.stage: q for q in report.quality_by_stage}
    assert list(quality) == [
        "prd_analysis",
        "intelligence",
        "contract",
        "business_logic",
        "generated_code",
        "validation_report",
        "refined_code",
        "written_node",
    ]
    assert quality["business_logic"].mean_quality == pytest.approx((255 * 0.9 + 45 * 0.8) / 300)
    assert quality["contract"].mean_quality == pytest.approx((255 * 0.9 + 45 * 0.75) / 300)
    assert quality["contract"].success_rate == pytest.approx(255 / 300)
    assert quality["intelligence"].samples == 300
    latency = {entry.stage: entry for entry in report.latency_by_stage}
    values = np.array([300.0 + i for i in range(PER_DAY)] * 10)  # contract is stage #3
    assert latency["contract"].p50_ms == pytest.approx(np.percentile(values, 50))
    assert latency["contract"].p95_ms == pytest.approx(np.percentile(values, 95))
    assert latency["prd_analysis"].p95_ms < latency["written_node"].p50_ms


def test_decisions_in_window(report) -> None:
    assert [d.decision_id for d in report.migrations] == ["d-contract", "d-prd"]
    assert [d.decision_id for d in report.rollbacks] == ["d-gc-rb"]
    assert report.migrations[0].previous_model == "big"
    assert report.migrations[0].new_model == "small"


def test_pattern_reuse(report) -> None:
    reuse = report.pattern_reuse
    assert reuse.generations == 300
    assert reuse.generations_with_patterns == 150  # even i, list or JSON text alike
    assert reuse.rate == pytest.approx(0.5)
    assert reuse.stage_calls_with_patterns == 150
    assert reuse.distinct_patterns == 2
    assert reuse.top_patterns == [("p1", 150), ("p2", 80)]


def _decode(png_b64: str) -> np.ndarray:
    raw = base64.b64decode(png_b64)
    assert raw[:8] == PNG_SIGNATURE
    return mpimg.imread(io.BytesIO(raw), format="png")


def test_charts_are_small_pngs(report) -> None:
    names = {c.name for c in report.charts}
    assert {
        "success_rate",
        "cost_per_generation",
        "model_distribution",
        "migration_progress",
        "quality_by_stage",
        "latency_by_stage",
    } <= names
    for chart in report.charts:
        image = _decode(chart.png_base64)
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 200
        assert chart.size_bytes <= 40_000, chart.name
        # not a blank canvas
        assert float(image[..., :3].std()) > 0.01


def test_markdown_and_html(report, tmp_path) -> None:
    md = report.to_markdown()
    images = re.findall(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", md)
    assert len(images) == len(report.charts)
    for b64 in images:
        _decode(b64)
    assert "| prd_analysis | big | 150 | 50.0% | 100.0% | 0.0% |" in md
    assert "| 2025-03-09 12:05 | migrate | contract | big | small |" in md
    assert "91.7%" in md  # 275/300

    path = report.write_html(tmp_path / "out" / "report.html")
    html = path.read_text()
    assert html.startswith("<!doctype html>")
    assert html.count("data:image/png;base64,") == len(report.charts)
    assert not re.search(r"(src|href)=\"https?:", html)  # self-contained
    assert "<td>contract</td><td>big</td>" in html


def test_html_escapes_model_names(history: History) -> None:
    stages = history.stages.copy()
    stages.loc[stages["stage"] == "business_logic", "model_used"] = "<script>x</script>"
    report = build_quality_report(stages, history.generations, None, day=DAY, days=10, charts=False)
    assert "<script>x</script>" not in report.to_html()
    assert "&lt;script&gt;" in report.to_html()


def test_window_excludes_older_rows(history: History) -> None:
    report = build_quality_report(
        history.stages, history.generations, history.decisions, day=DAY, days=3, charts=False
    )
    assert report.total_generations == 90
    assert [d.decision_id for d in report.migrations] == ["d-contract"]
    assert report.rollbacks == []
    # prd_analysis was fully migrated before the window
    dist = {(m.stage, m.model) for m in report.model_distribution}
    assert ("prd_analysis", "big") not in dist


def test_default_day_is_latest_data(history: History) -> None:
    report = build_quality_report(
        history.stages, history.generations, history.decisions, days=10, charts=False
    )
    assert report.day == DAY
    assert report.total_generations == 300


def test_empty_frames_give_an_empty_report(tmp_path) -> None:
    empty = pd.DataFrame()
    report = build_quality_report(empty, empty, empty, day=DAY, days=7)
    assert report.is_empty
    assert report.success_rate is None
    assert len(report.daily) == 7
    assert "No generations in this window yet" in report.to_markdown()
    report.write_html(tmp_path / "empty.html")
    for chart in report.charts:
        _decode(chart.png_base64)


def test_bad_input_is_a_clear_error(history: History) -> None:
    with pytest.raises(FrameError, match="quality_score"):
        build_quality_report(history.stages.drop(columns=["quality_score"]), None, None)
    with pytest.raises(ValueError, match="days"):
        build_quality_report(None, None, None, days=0)
    bad = history.generations.copy()
    bad["created_at"] = "not a time"
    with pytest.raises(FrameError, match="created_at"):
        build_quality_report(None, bad, None)
