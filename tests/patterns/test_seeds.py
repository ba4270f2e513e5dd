"""The hand-written seed library: index and folders agree, every seed node passes every validation
gate, loading is idempotent, and the seeds are found again from paraphrased prompts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from nodegen.artifacts import NodeSource, recipe_tags
from nodegen.offline.recipes import BY_ID
from nodegen.patterns import SEED_ROOT, Embedder, PatternStore, load_seed_index, load_seed_library
from nodegen.patterns.library import open_pattern_store
from nodegen.patterns.seeds import seed_record, version_dir
from nodegen.validation import validate_node

INDEX = load_seed_index()
ENTRIES = {entry.node: entry for entry in INDEX.nodes}


def _source(node: str) -> NodeSource:
    vdir = version_dir(SEED_ROOT, ENTRIES[node])
    files = {
        str(p.relative_to(vdir)): p.read_text()
        for p in sorted(vdir.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in {".py", ".yaml"}
    }
    return NodeSource(node_dir_name=node, version="1.0.0", files=files)


def test_index_and_folders_agree() -> None:
    folders = {p.name for p in SEED_ROOT.iterdir() if p.is_dir() and p.name.startswith("node_")}
    assert folders == set(ENTRIES)
    assert len(ENTRIES) == 31
    for node, entry in ENTRIES.items():
        assert node == f"node_{entry.name}_{entry.kind.value}"
        manifest = yaml.safe_load((SEED_ROOT / node / "node.manifest.yaml").read_text())
        assert manifest["name"] == node and manifest["latest"] == "1.0.0"


def test_seed_recipes_are_catalogue_recipes_of_the_seed_kind() -> None:
    """local-rules rebuilds a followed seed from these recipes, so each must exist for its kind,
    and the stored pattern must carry them as recipe tags."""
    tagged = 0
    for entry in ENTRIES.values():
        for recipe in entry.recipes:
            assert recipe in BY_ID and entry.kind in BY_ID[recipe].kinds, (entry.node, recipe)
        if entry.recipes:
            tagged += 1
            operations = seed_record(SEED_ROOT, entry).operations or []
            assert operations[: len(entry.recipes)] == recipe_tags(entry.recipes)
    assert tagged >= 10


@pytest.mark.slow
@pytest.mark.parametrize("node", sorted(ENTRIES))
def test_every_seed_passes_every_gate(node: str) -> None:
    report = validate_node(_source(node))

    failed = [f"{g.gate}: {g.findings}" for g in report.gates if not g.passed]
    assert report.success and not failed, failed
    assert report.quality_score >= ENTRIES[node].quality - 1e-9


def test_seeds_load_once(make_store: Callable[..., PatternStore]) -> None:
    store = make_store()
    first = load_seed_library(store)
    assert sorted(first.added) == sorted(e.pattern_id for e in INDEX.nodes)
    assert first.skipped == {}
    second = load_seed_library(store)
    assert second.added == [] and len(second.already_present) == 31
    stats = store.stats()
    assert stats["size"] == stats["seed_patterns"] == 31
    assert stats["by_kind"] == {"compute": 11, "effect": 8, "orchestrator": 6, "reducer": 6}


def test_open_pattern_store_seeds_only_an_empty_library(tmp_path: Path) -> None:
    store = open_pattern_store(tmp_path / "lancedb")
    assert store.count() == 31
    assert open_pattern_store(tmp_path / "lancedb").count() == 31
    assert open_pattern_store(tmp_path / "unseeded", seed=False).count() == 0


# Hand-written paraphrases: the same need as the seed's prompt, said with other words.
PARAPHRASES: list[tuple[str, str]] = [
    ("node_text_slugify_compute",
     "Make a web-friendly identifier from a blog post heading: strip diacritics, small letters only, "
     "dashes between words, capped in size on a word boundary."),
    ("node_word_frequency_compute",
     "Tally how many times each term occurs in a document, case-insensitive, skipping filler words "
     "like 'the' and 'and', and give back the most common ones."),
    ("node_email_validate_compute",
     "Check a batch of e-mail addresses, normalise their case and whitespace, remove repeats, and say "
     "which ones are malformed and why."),
    ("node_csv_to_records_compute",
     "Turn comma-separated text whose first line names the columns into dictionaries, casting numeric "
     "values, and flag lines with too few or too many fields."),
    ("node_price_with_tax_compute",
     "Work out what a customer owes for a basket of products with quantities, after a discount "
     "percentage and VAT, rounded to the cent."),
    ("node_loan_amortization_compute",
     "For a mortgage with a yearly rate and a number of monthly instalments, list every instalment "
     "split into interest and capital with the outstanding debt."),
    ("node_stats_summary_compute",
     "Given some numeric samples, report the average, the middle value, the spread, the extremes and "
     "high percentiles."),
    ("node_json_flatten_compute",
     "Collapse a deeply nested object into one flat mapping whose keys are paths joined with dots, "
     "array positions included, up to a depth limit."),
    ("node_password_strength_compute",
     "Rate how hard a user's secret passphrase is to guess, looking at its length, mix of symbols and "
     "digits, repetition and whether it is a well-known one."),
    ("node_hmac_signature_compute",
     "Produce a keyed SHA-256 digest for an outgoing callback body, and check incoming digests without "
     "leaking timing information."),
    ("node_http_get_json_effect",
     "Download a JSON resource from a web address, trying again after connection failures or server "
     "errors with growing pauses, and give back the parsed content and status."),
    ("node_weather_fetch_effect",
     "Ask a forecast service for the present conditions in a town, authenticating with a key, and "
     "return degrees Celsius, moisture level and a summary."),
    ("node_webhook_post_effect",
     "Deliver an event as JSON to a subscriber's callback endpoint, with a deduplication header, "
     "retrying when the receiver fails, and tell whether it arrived."),
    ("node_paginated_fetch_effect",
     "Collect every result of a REST listing that hands out a continuation token per page, stopping "
     "when there is no token left or after a page limit."),
    ("node_currency_convert_effect",
     "Change a sum from dollars into euros or any other currency using live FX quotes from a remote "
     "service, and return the quote applied."),
    ("node_github_repo_info_effect",
     "Query the code hosting site's API for a project's metadata: star count, number of forks, main "
     "branch and archived flag."),
    ("node_etl_pipeline_orchestrator",
     "Schedule extract, transform and load jobs that depend on each other into waves that can run side "
     "by side, in dependency order, failing on circular dependencies."),
    ("node_order_fulfilment_orchestrator",
     "Drive a purchase through stock reservation, card capture, dispatch and customer notice, undoing "
     "finished steps when a later one breaks."),
    ("node_shopping_cart_reducer",
     "Fold basket events (put in, take out, empty) into the basket's contents and amount, signalling "
     "that checkout can start once something is in it."),
    ("node_token_bucket_reducer",
     "Throttle API calls with a refilling allowance of credits: for each incoming call decide to let "
     "it through or reject it, and update the remaining credits."),
]


def test_paraphrases_find_their_seed_in_the_top_5(tmp_path: Path, embedder: Embedder) -> None:
    store = open_pattern_store(tmp_path / "lancedb")
    vectors = embedder.embed([text for _, text in PARAPHRASES])
    hits, ranks = 0, []
    for (node, _), vector in zip(PARAPHRASES, vectors, strict=True):
        rows = store.search_vector(np.asarray(vector), top_k=5, columns=["id"])  # no kind filter
        ids = [r["id"] for r in rows]
        rank = ids.index(f"seed-{node}") + 1 if f"seed-{node}" in ids else None
        ranks.append(rank)
        hits += rank is not None
    print(f"\nparaphrase retrieval: {hits}/20 in the top 5, {ranks.count(1)}/20 at rank 1; ranks {ranks}")
    assert hits >= 18
