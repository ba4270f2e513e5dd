"""Does the pattern library help `local-rules`? Success rate and mean quality of the example requests
run through the whole pipeline without and with the pattern library, each on a fresh temp home.

With patterns, requests run in file order, so later ones can retrieve earlier successes as well as
the seeds. Besides success and quality it counts the generations whose intelligence stage found
patterns and the stage rows outside intelligence that name a pattern (a model stage that used one).

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_learning.py [--limit N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from nodegen.pipeline import generate
from nodegen.request import load_request_file
from nodegen.services import PipelineServices
from nodegen.settings import Settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requests"


def run(files: list[Path], *, with_patterns: bool) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory(prefix="bench-learning-") as tmp:
        home = Path(tmp)
        settings = Settings.from_env(home=home / "home", output_dir=home / "out", inbox=home / "inbox")
        settings = settings.model_copy(update={
            "database_url": f"sqlite:///{home / 'home' / 'metrics.db'}",
            "lancedb_uri": str(home / "home" / "lancedb"),
        })
        services = PipelineServices.from_settings(settings, with_patterns=with_patterns)
        started = time.perf_counter()
        summaries = [generate(services, load_request_file(path)) for path in files]
        seconds = time.perf_counter() - started
        rows = services.store.stage_metrics_frame()
        retrieved = rows[(rows.stage == "intelligence") & rows.patterns_used.map(len).astype(bool)]
        model_used = rows[(rows.stage != "intelligence") & rows.patterns_used.map(len).astype(bool)]
        library = services.patterns.count() if services.patterns is not None else 0
        return {
            "library": "with patterns" if with_patterns else "without",
            "requests": len(summaries),
            "success_rate": sum(s.success for s in summaries) / len(summaries),
            "mean_quality": sum(s.quality_score for s in summaries) / len(summaries),
            "retrieved": int(retrieved.correlation_id.nunique()),
            "stage_rows_using_patterns": len(model_used),
            "library_size_after": library,
            "seconds": seconds,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N example files")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".json", ".yaml", ".yml"})[: args.limit]
    results = [run(files, with_patterns=False), run(files, with_patterns=True)]
    header = ("library", "requests", "success_rate", "mean_quality", "retrieved",
              "stage_rows_using_patterns", "library_size_after", "seconds")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in results:
        cells = [f"{r[h]:.3f}" if isinstance(r[h], float) else str(r[h]) for h in header]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
