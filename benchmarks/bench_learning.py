"""Does the pattern library help `local-rules`? Success rate and mean quality of the example requests
and of their paraphrases, run through the whole pipeline without and with the pattern library, each
configuration on a fresh temp home.

Requests run in order (all of examples/requests, then all of examples/paraphrases), so with the
library a paraphrase can retrieve its original's success as well as the seed nodes. Each
paraphrase words the same need as the example with the same file stem, in words that fire none of
the catalogue's triggers; `right_recipes` counts the paraphrases built from exactly the recipes
their original used. `followed` counts generations whose PRD was analysed again following a pattern.

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_learning.py
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from nodegen.offline import parser as rules
from nodegen.pipeline import GenerationSummary, generate
from nodegen.request import load_request_file
from nodegen.services import PipelineServices
from nodegen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent / "examples"
SETS = {"examples": ROOT / "requests", "paraphrases": ROOT / "paraphrases"}


def request_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in {".json", ".yaml", ".yml"})


def original_recipes() -> dict[str, list[str]]:
    """What local-rules builds each example from (the truth a paraphrase should reproduce)."""
    return {
        path.stem: rules.analyse(load_request_file(path), None)[0].operations
        for path in request_files(SETS["examples"])
    }


def _last_prd(services: PipelineServices, summary: GenerationSummary) -> tuple[list[str], bool]:
    events = [
        e for e in services.store.events_for(summary.correlation_id)
        if e.event_type == "PROMPT_PARSED"
    ]
    rows = services.store.stage_metrics_frame(stage="prd_analysis")
    rows = rows[rows.correlation_id == summary.correlation_id]
    followed = bool(len(rows)) and bool(len(rows.iloc[-1].patterns_used))
    return (list(events[-1].payload["operations"]) if events else []), followed


def run(with_patterns: bool, truth: dict[str, list[str]]) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="bench-learning-") as tmp:
        home = Path(tmp)
        settings = Settings.from_env(home=home / "home", output_dir=home / "out", inbox=home / "inbox")
        settings = settings.model_copy(update={
            "database_url": f"sqlite:///{home / 'home' / 'metrics.db'}",
            "lancedb_uri": str(home / "home" / "lancedb"),
        })
        services = PipelineServices.from_settings(settings, with_patterns=with_patterns)
        results = []
        for name, folder in SETS.items():
            started = time.perf_counter()
            summaries, right, followed = [], 0, 0
            for path in request_files(folder):
                summary = generate(services, load_request_file(path))
                summaries.append(summary)
                operations, did_follow = _last_prd(services, summary)
                followed += did_follow
                right += name == "paraphrases" and summary.success and operations == truth[path.stem]
            results.append({
                "library": "with patterns" if with_patterns else "without",
                "requests": name,
                "n": len(summaries),
                "success_rate": sum(s.success for s in summaries) / len(summaries),
                "mean_quality": sum(s.quality_score for s in summaries) / len(summaries),
                "followed": followed,
                "right_recipes": right if name == "paraphrases" else "-",
                "library_size_after": services.patterns.count() if services.patterns else 0,
                "seconds": time.perf_counter() - started,
            })
        return results


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    truth = original_recipes()
    results = run(False, truth) + run(True, truth)
    header = list(results[0])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in results:
        cells = [f"{r[h]:.3f}" if isinstance(r[h], float) else str(r[h]) for h in header]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
