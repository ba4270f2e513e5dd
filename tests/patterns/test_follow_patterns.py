"""local-rules learns from the pattern library: a request whose wording fires no recipe trigger is
built the way the closest earlier success was, when that success is similar enough.

`examples/paraphrases/X` says what `examples/requests/X` says in other words. The end-to-end tests
use the real MiniLM weights, LanceDB and metrics store: the original is generated first, then its
paraphrase must be built from the same recipes, and the PRD-analysis row must name the pattern it
followed. Without the library the same paraphrase fails. Unrelated requests must not follow anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nodegen.artifacts import IntelligenceResponse, NodeKind, PatternHit, recipe_tags
from nodegen.offline import parser
from nodegen.pipeline import generate, new_generation, run_stage
from nodegen.request import NodeRequest, load_request_file
from nodegen.services import PipelineServices
from nodegen.settings import Settings
from nodegen.stages import Stage
from nodegen_assets.metadata import stage_metadata

from ..conftest import EXAMPLES

PARAPHRASES = EXAMPLES.parent / "paraphrases"
# One per node kind, plus a two-recipe effect.
PAIRS = ("exchange_rates", "sales_by_region", "deployment_fsm", "etl_pipeline")
UNRELATED = (
    ("compute", "Compute the Levenshtein edit distance between two strings."),
    ("reducer", "A reducer that keeps the last 10 chat messages per room."),
    ("orchestrator", "A workflow node that chooses which child to run based on the payload's region field."),
    ("effect", "Acquire a distributed lock in Redis with an expiry of 30 seconds."),
)


def _file(folder: Path, stem: str) -> Path:
    return next(p for p in folder.iterdir() if p.stem == stem)


def _hit(pattern_id: str, similarity: float, kind: NodeKind, recipes: list[str]) -> PatternHit:
    return PatternHit(
        pattern_id=pattern_id, node_name=pattern_id, node_kind=kind, domain="finance",
        similarity=similarity, quality_score=1.0, operations=[*recipe_tags(recipes), "http_get"],
    )


def _analyse(prompt: str, kind: NodeKind, hits: list[PatternHit]) -> tuple[list[str], list[str]]:
    intelligence = IntelligenceResponse(correlation_id="c", patterns_found=hits)
    prd, used = parser.analyse(NodeRequest(prompt=prompt, node_type=kind.value), intelligence)
    return prd.operations, used


OBTAIN = "Obtain foreign-exchange quotes from https://fx.example/rates and keep them for 60 seconds."


def test_every_paraphrase_misses_the_triggers_its_original_fires() -> None:
    """The premise of the learning benchmark: without patterns, wording alone decides."""
    paraphrases = sorted(PARAPHRASES.iterdir())
    assert len(paraphrases) >= 15
    for path in paraphrases:
        original, _ = parser.analyse(load_request_file(_file(EXAMPLES, path.stem)), None)
        reworded, _ = parser.analyse(load_request_file(path), None)
        assert original.operations, path.stem
        assert reworded.operations == [], (path.stem, reworded.operations)


def test_follows_the_most_similar_pattern_built_from_recipes() -> None:
    hits = [
        _hit("cache-and-get", 0.7, NodeKind.EFFECT, ["http_get_json", "ttl_cache"]),
        _hit("post", 0.9, NodeKind.EFFECT, []),  # closer, but no recipe describes it
    ]
    operations, used = _analyse(OBTAIN, NodeKind.EFFECT, hits)
    assert operations == ["ttl_cache", "http_get_json"]  # catalogue order, not pattern order
    assert used == ["cache-and-get"]


@pytest.mark.parametrize(
    "hit",
    [
        _hit("too-far", parser.FOLLOW_PATTERN_MIN_SIMILARITY - 0.01, NodeKind.EFFECT, ["http_get_json"]),
        _hit("reducer", 0.95, NodeKind.REDUCER, ["accumulate_reducer"]),
        _hit("wrong-kind-recipe", 0.95, NodeKind.EFFECT, ["fsm_reducer"]),
        _hit("unknown-recipe", 0.95, NodeKind.EFFECT, ["http_get_json", "teleport"]),
    ],
    ids=lambda h: h.pattern_id,
)
def test_does_not_follow_a_pattern_it_cannot_rebuild(hit: PatternHit) -> None:
    operations, used = _analyse(OBTAIN, NodeKind.EFFECT, [hit])
    assert (operations, used) == ([], [])


def test_unsupported_requests_never_follow_a_pattern() -> None:
    hit = _hit("close", 0.99, NodeKind.COMPUTE, ["statistics"])
    operations, used = _analyse("Transcribe the audio of a meeting.", NodeKind.COMPUTE, [hit])
    assert (operations, used) == ([], [])


def _prd_rows(services: PipelineServices, correlation_id: str) -> list[list[str]]:
    rows = services.store.stage_metrics_frame(stage="prd_analysis")
    return [list(used) for used in rows[rows.correlation_id == correlation_id].patterns_used]


@pytest.mark.slow
def test_paraphrases_succeed_by_following_their_originals(nodegen_env: Settings) -> None:
    services = PipelineServices.from_settings(nodegen_env)
    without = PipelineServices(
        store=services.store, output_dir=services.output_dir, catalogue=services.catalogue,
        selection=services.selection, patterns=None,
    )
    for stem in PAIRS:
        paraphrase = load_request_file(_file(PARAPHRASES, stem))
        alone = generate(without, paraphrase)
        assert not alone.success, stem  # nothing to learn from: wording alone fails

        original = generate(services, load_request_file(_file(EXAMPLES, stem)))
        assert original.success, (stem, original.error)
        learned = generate(services, paraphrase)
        assert learned.success, (stem, learned.error)
        assert learned.quality_score >= 0.95

        # Two PRD-analysis calls: the first found no recipe, the second followed the original.
        assert _prd_rows(services, learned.correlation_id) == [[], [original.correlation_id]]
        analysed = [
            e.payload for e in services.store.events_for(learned.correlation_id)
            if e.event_type == "PROMPT_PARSED"
        ][-1]
        expected = [
            e.payload for e in services.store.events_for(original.correlation_id)
            if e.event_type == "PROMPT_PARSED"
        ][-1]
        assert analysed["operations"] == expected["operations"]
        assert analysed["name"] != expected["name"]  # the paraphrase keeps its own identity

    # What the UI shows on the intelligence asset of such a generation.
    state = new_generation(services, load_request_file(_file(PARAPHRASES, PAIRS[0])))
    for stage in (Stage.PRD_ANALYSIS, Stage.INTELLIGENCE):
        state = run_stage(services, stage, state)
    preview = stage_metadata(state, Stage.INTELLIGENCE)["preview"].value
    assert "The PRD was analysed again following" in preview
    assert "ttl_cache, http_get_json" in preview

    for kind, prompt in UNRELATED:
        summary = generate(services, NodeRequest(prompt=prompt, node_type=kind))
        assert not summary.success, prompt
        assert all(used == [] for used in _prd_rows(services, summary.correlation_id)), prompt
