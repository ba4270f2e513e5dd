"""`nodegen` command line (DESIGN.md, Command line): generate, replay, import-metrics, seed-patterns."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nodegen.errors import NodegenError, RequestError
from nodegen.request import load_request_file
from nodegen.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _generate(args: argparse.Namespace) -> int:
    from nodegen.pipeline import GenerationSummary, generate
    from nodegen.services import PipelineServices

    overrides: dict[str, object] = {}
    if args.out:
        overrides["output_dir"] = Path(args.out).resolve()
    settings = Settings.from_env(**overrides)
    services = PipelineServices.from_settings(settings, with_patterns=not args.no_patterns)
    all_ok = True
    for name in args.files:
        path = Path(name)
        try:
            request = load_request_file(path)
        except RequestError as exc:
            summary = GenerationSummary(
                request_id=path.name, correlation_id="", success=False, quality_score=0.0,
                node_path=None, error=str(exc), stages=[],
            )
        else:
            summary = generate(services, request)
        all_ok &= summary.success
        if args.json:
            print(summary.model_dump_json(), flush=True)
        else:
            status = "ok    " if summary.success else "FAILED"
            where = summary.node_path or summary.error
            print(f"{status} {summary.request_id}  quality={summary.quality_score:.3f}  {where}", flush=True)
    return EXIT_OK if all_ok else EXIT_FAILED


def _import_metrics(args: argparse.Namespace) -> int:
    from nodegen.importer import import_metrics
    from nodegen.store import MetricsStore

    store = MetricsStore(Settings.from_env().database_url)
    store.upgrade()
    report = import_metrics(store, Path(args.file), Path(args.report) if args.report else None)
    print(report.model_dump_json(indent=2))
    return EXIT_OK if report.rejected == 0 else EXIT_FAILED


def _seed_patterns(args: argparse.Namespace) -> int:
    from nodegen.patterns.library import open_pattern_store
    from nodegen.patterns.seeds import load_seed_library

    store = open_pattern_store(Settings.from_env().lancedb_uri, seed=False)
    result = load_seed_library(store)
    print(json.dumps({**result.model_dump(mode="json"), "patterns": store.count()}))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nodegen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="run the whole pipeline in process for request files")
    gen.add_argument("files", nargs="+", help="request files (JSON or YAML)")
    gen.add_argument("--out", help="output root for nodes (default $NODEGEN_OUTPUT_DIR)")
    gen.add_argument("--json", action="store_true", help="one JSON summary per request")
    gen.add_argument("--no-patterns", action="store_true", help="run without the pattern library")
    gen.set_defaults(handler=_generate)

    imp = commands.add_parser("import-metrics", help="load historical stage metrics (CSV or parquet)")
    imp.add_argument("file")
    imp.add_argument("--report", help="where to write the rejected-rows report")
    imp.set_defaults(handler=_import_metrics)

    seed = commands.add_parser("seed-patterns", help="load the seed library into the pattern store")
    seed.set_defaults(handler=_seed_patterns)

    commands.add_parser("replay", help="replay a stage-metrics trace through the decision engine",
                        add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "replay":
        from nodegen.decision.replay import replay_cli

        return replay_cli(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    try:
        return args.handler(args)
    except NodegenError as exc:
        print(f"nodegen: error: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
