"""Every record that crosses a boundary survives JSON and back unchanged (property-based)."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from nodegen.artifacts import IntelligenceRequest, IntelligenceResponse, NodeKind, PatternHit
from nodegen.records import EventEnvelope, EventType, GenerationMetrics
from nodegen.stages import Stage

text = st.text(max_size=40)
ids = st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
positive = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=10**9)
aware = st.datetimes(timezones=st.just(UTC))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)

metrics = st.builds(
    GenerationMetrics, correlation_id=ids, stage=st.sampled_from(list(Stage)),
    attempt=st.integers(1, 50), model_used=text, provider=text, tokens_input=counts,
    tokens_output=counts, cache_read_tokens=counts, cache_write_tokens=counts,
    latency_ms=positive, cost_usd=positive, quality_score=unit, success=st.booleans(),
    patterns_used=st.lists(ids, max_size=5), error=st.none() | text,
    node_kind=st.none() | st.sampled_from([k.value for k in NodeKind]), timestamp=aware,
)
envelopes = st.builds(
    EventEnvelope, envelope_id=ids, event_type=st.sampled_from(list(EventType)), correlation_id=ids,
    timestamp=aware, payload_type=text, payload=st.dictionaries(text, json_values, max_size=5),
    source=text,
)
requests = st.builds(
    IntelligenceRequest, correlation_id=ids, prompt=text, node_kind=st.sampled_from(list(NodeKind)),
    domain=st.none() | text, top_k=st.integers(1, 50), min_quality=unit,
)
hits = st.builds(
    PatternHit, pattern_id=ids, node_name=text, node_kind=st.sampled_from(list(NodeKind)),
    domain=text, similarity=st.floats(-1.0, 1.0), quality_score=unit,
    operations=st.lists(text, max_size=3), dependencies=st.lists(text, max_size=3),
    code_excerpt=text,
)
responses = st.builds(
    IntelligenceResponse, correlation_id=ids, patterns_found=st.lists(hits, max_size=4),
    recommendations=st.lists(text, max_size=3), confidence=unit, sources=st.lists(text, max_size=3),
)


def _roundtrip(record: BaseModel) -> None:
    again = type(record).model_validate_json(record.model_dump_json())
    assert again == record
    assert again.model_dump_json() == record.model_dump_json()


@settings(max_examples=200, deadline=None)
@given(st.one_of(metrics, envelopes, requests, responses))
def test_records_roundtrip_through_json(record: BaseModel) -> None:
    _roundtrip(record)
