"""Provider overhead and local generation speed.

1. Per provider, the time our wrapper + the SDK add around a model call: the HTTP layer is faked
   with respx (instant replies in the real wire format), so every millisecond measured is
   overhead, not model time. Rows for the bare `complete()` and for a whole LLM stage
   (`analyse_prd`: template rendering + call + strict JSON parsing).
2. Tokens per second of the transformers provider on the tiny 1-layer GPT-2 used by the tests, on
   CPU (or the GPU when there is one).

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_providers.py [--calls N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import respx

import nodegen.providers.respx_bridge  # noqa: F401  (registers the "httpx2" respx mocker)
from nodegen.artifacts import IntelligenceResponse, PrdAnalysis
from nodegen.providers.anthropic_provider import AnthropicModel
from nodegen.providers.llm_stage import LLMStageModel
from nodegen.providers.openai_provider import OpenAICompatibleModel
from nodegen.providers.transformers_provider import TransformersModel
from nodegen.request import NodeRequest
from tests.providers.provider_fakes import (
    ANTHROPIC_URL,
    OPENAI_URL,
    SECRET,
    anthropic_message,
    anthropic_spec,
    build_tiny_lm,
    chat_completion,
    openai_spec,
)

REQUEST = NodeRequest(prompt="Compute the total price of the order lines and apply a discount")
INTEL = IntelligenceResponse(correlation_id="bench")
PRD_JSON = PrdAnalysis(
    name="order_total", node_kind="compute", domain="orders", description="Order total"
).model_dump_json()


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95, statistics.fmean(ordered)


def timed(fn: Callable[[], object], calls: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples


def overhead_rows(calls: int) -> list[tuple[str, str, int, float, float, float]]:
    rows = []
    with respx.mock(using="httpx2", assert_all_called=False) as router:
        router.post(f"{ANTHROPIC_URL}/v1/messages").mock(
            return_value=httpx.Response(200, json=anthropic_message(PRD_JSON))
        )
        router.post(f"{OPENAI_URL}/chat/completions").mock(
            return_value=httpx.Response(200, json=chat_completion(PRD_JSON))
        )
        anthropic_lm = AnthropicModel("claude-haiku-4-5", anthropic_spec(), SECRET)
        openai_lm = OpenAICompatibleModel("qwen-vllm", openai_spec())
        for label, lm in (("anthropic", anthropic_lm), ("openai_compatible", openai_lm)):
            stage = LLMStageModel(lm)
            samples = timed(
                lambda lm=lm: lm.complete(system="s" * 4000, prompt="p" * 500, max_tokens=512, temperature=0),
                calls,
            )
            rows.append((label, "complete()", calls, *percentiles(samples)))
            samples = timed(lambda stage=stage: stage.analyse_prd(REQUEST, INTEL), calls)
            rows.append((label, "analyse_prd stage", calls, *percentiles(samples)))
    return rows


def transformers_rows(runs: int, new_tokens: int) -> list[tuple[str, int, float, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = build_tiny_lm(Path(tmp) / "tiny")
        spec = anthropic_spec().model_copy(
            update={"provider": "transformers", "path": str(path), "cost_per_compute_second": 0.0001}
        )
        model = TransformersModel("tiny", spec)
        started = time.perf_counter()
        model.complete(system="warm up", prompt="the node", max_tokens=4, temperature=0)
        load_s = time.perf_counter() - started
        for label, system in (("short prompt", "build a node"), ("4k-char system prompt", "the node " * 450)):
            tokens_in = tokens_out = 0
            seconds = 0.0
            for _ in range(runs):
                usage = model.complete(
                    system=system, prompt="compute the total", max_tokens=new_tokens, temperature=0.7
                ).usage
                tokens_in += usage.tokens_input
                tokens_out += usage.tokens_output
                seconds += usage.compute_seconds
            rows.append((label, tokens_in // runs, tokens_out / runs, tokens_out / seconds, load_s))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    overhead = overhead_rows(args.calls)
    local = transformers_rows(args.runs, args.new_tokens)
    if args.json:
        print(json.dumps({"overhead": overhead, "transformers": local}))
        return
    print("Provider overhead (HTTP faked by respx, instant replies; all time is wrapper + SDK)")
    print(f"{'provider':<18} {'what':<18} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for provider, what, n, p50, p95, mean in overhead:
        print(f"{provider:<18} {what:<18} {n:>6} {p50:>8.2f} {p95:>8.2f} {mean:>8.2f}")
    print()
    print(f"transformers provider, tiny 1-layer GPT-2, {args.runs} runs, sampling, <= {args.new_tokens} new tokens")
    print(f"{'prompt':<22} {'tokens in':>9} {'tokens out':>10} {'tokens/s':>9} {'first load s':>12}")
    for label, tin, tout, tps, load_s in local:
        print(f"{label:<22} {tin:>9} {tout:>10.1f} {tps:>9.1f} {load_s:>12.2f}")


if __name__ == "__main__":
    main()
