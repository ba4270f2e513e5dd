"""Per-stage quality predictor (scikit-learn), used only to ORDER candidates, never to skip the
sample-count and statistical guards of the engine.

Features: model, node kind, domain and prompt length when present, number of patterns used, and an
optional prompt-embedding cluster id (column `prompt_cluster`). Success is a logistic regression
(reported with held-out AUC and Brier score); quality is a ridge regression.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from nodegen.decision.frame import normalize_metrics
from nodegen.errors import ConfigError

CATEGORICAL = ("model_used", "node_kind", "domain", "prompt_cluster")
NUMERIC = ("prompt_length", "patterns_used")
MIN_ROWS = 20


class PredictorMetrics(BaseModel):
    stage: str
    n_train: int
    n_test: int
    auc: float | None  # None when the held-out set has a single class
    brier: float
    quality_mae: float


class Prediction(BaseModel):
    success_probability: float
    quality: float


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for column in CATEGORICAL:
        values = frame[column] if column in frame.columns else pd.Series("", index=frame.index)
        out[column] = values.astype(object).where(values.notna(), "").astype(str)
    for column in NUMERIC:
        values = frame[column] if column in frame.columns else pd.Series(0.0, index=frame.index)
        out[column] = pd.to_numeric(values, errors="coerce").fillna(0.0).astype(float)
    return out


def _preprocess() -> ColumnTransformer:
    return ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
            ("num", StandardScaler(), list(NUMERIC)),
        ]
    )


class QualityPredictor:
    """Trained per-stage models plus their held-out metrics."""

    def __init__(self) -> None:
        self.success_models: dict[str, Pipeline] = {}
        self.quality_models: dict[str, Pipeline] = {}
        self.metrics: dict[str, PredictorMetrics] = {}
        self.constant_success: dict[str, float] = {}

    def predict(
        self,
        stage: str,
        model: str,
        node_kind: str | None = None,
        domain: str | None = None,
        prompt_length: int | None = None,
        patterns_used: int = 0,
        prompt_cluster: int | str | None = None,
    ) -> Prediction:
        if stage not in self.quality_models:
            raise KeyError(f"no predictor trained for stage {stage!r}")
        row = _features(
            pd.DataFrame(
                [
                    {
                        "model_used": model,
                        "node_kind": node_kind,
                        "domain": domain,
                        "prompt_cluster": None if prompt_cluster is None else str(prompt_cluster),
                        "prompt_length": prompt_length or 0,
                        "patterns_used": patterns_used,
                    }
                ]
            )
        )
        if stage in self.success_models:
            p = float(self.success_models[stage].predict_proba(row)[0, 1])
        else:
            p = self.constant_success[stage]
        q = float(np.clip(self.quality_models[stage].predict(row)[0], 0.0, 1.0))
        return Prediction(success_probability=p, quality=q)

    def expected_quality(self, stage: str, model: str, node_kind: str | None = None) -> float | None:
        """For the engine's candidate ordering; None where the stage has no model."""
        if stage not in self.quality_models:
            return None
        return self.predict(stage, model, node_kind).quality


def train_quality_predictor(frame: pd.DataFrame, test_size: float = 0.25, seed: int = 0) -> QualityPredictor:
    """Fit one success and one quality model per stage with >= MIN_ROWS rows; metrics on a
    held-out split (stratified on success where both classes occur)."""
    frame = normalize_metrics(frame)
    predictor = QualityPredictor()
    for stage, rows in frame.groupby("stage"):
        stage = str(stage)
        if len(rows) < MIN_ROWS:
            continue
        x = _features(rows)
        y_success = rows["success"].astype(int).to_numpy()
        y_quality = rows["quality_score"].to_numpy(float)
        both = len(np.unique(y_success)) == 2 and np.bincount(y_success).min() >= 2
        x_tr, x_te, s_tr, s_te, q_tr, q_te = train_test_split(
            x, y_success, y_quality, test_size=test_size, random_state=seed, stratify=y_success if both else None
        )
        quality_model = Pipeline([("prep", _preprocess()), ("ridge", Ridge(alpha=1.0))]).fit(x_tr, q_tr)
        predictor.quality_models[stage] = quality_model
        mae = float(np.mean(np.abs(np.clip(quality_model.predict(x_te), 0, 1) - q_te)))
        if len(np.unique(s_tr)) == 2:
            success_model = Pipeline(
                [("prep", _preprocess()), ("logit", LogisticRegression(max_iter=1000))]
            ).fit(x_tr, s_tr)
            predictor.success_models[stage] = success_model
            proba = success_model.predict_proba(x_te)[:, 1]
        else:
            predictor.constant_success[stage] = float(s_tr.mean())
            proba = np.full(len(s_te), float(s_tr.mean()))
        auc = float(roc_auc_score(s_te, proba)) if len(np.unique(s_te)) == 2 else None
        predictor.metrics[stage] = PredictorMetrics(
            stage=stage,
            n_train=len(x_tr),
            n_test=len(x_te),
            auc=auc,
            brier=float(brier_score_loss(s_te, proba)),
            quality_mae=mae,
        )
    if not predictor.metrics:
        raise ConfigError(f"no stage has the {MIN_ROWS} rows needed to train a quality predictor")
    return predictor


def embedding_clusters(embeddings: np.ndarray, n_clusters: int = 8, seed: int = 0) -> np.ndarray:
    """Cluster ids for prompt embeddings (e.g. all-MiniLM-L6-v2 vectors) -> `prompt_cluster`."""
    from sklearn.cluster import KMeans

    k = max(1, min(n_clusters, len(embeddings)))
    return KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(np.asarray(embeddings, dtype=float))
