"""Model selection: canary routing, the migration/rollback engine, replay and a quality predictor.

Pure domain code: metrics frames and config models in, decisions out; nothing here writes a store.
"""

from nodegen.decision.canary import RouteChoice, canary_bucket, next_cheaper_candidate, route_model
from nodegen.decision.engine import DecisionEngine, apply_decisions
from nodegen.decision.predictor import QualityPredictor, train_quality_predictor
from nodegen.decision.replay import ReplayResult, replay, replay_cli

__all__ = [
    "DecisionEngine",
    "QualityPredictor",
    "ReplayResult",
    "RouteChoice",
    "apply_decisions",
    "canary_bucket",
    "next_cheaper_candidate",
    "replay",
    "replay_cli",
    "route_model",
    "train_quality_predictor",
]
