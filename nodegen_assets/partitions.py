"""Partitions: one dynamic partition per request, one daily partition per day of metrics."""

from dagster import DailyPartitionsDefinition, DynamicPartitionsDefinition

requests_partitions = DynamicPartitionsDefinition(name="requests")
daily_partitions = DailyPartitionsDefinition(start_date="2026-01-01", end_offset=1)
