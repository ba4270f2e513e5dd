"""The inbox sensor: each settled request file becomes a dynamic partition and a generation run.

Bad files are moved to `rejected/` with an error report and logged on the tick; they never stop the
other files of the tick. The cursor counts what the sensor has accepted and rejected so far.
"""


import json

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from nodegen.inbox import scan_inbox
from nodegen_assets.jobs import generate_node_job
from nodegen_assets.partitions import requests_partitions
from resources import NodegenResource


@sensor(
    job=generate_node_job,
    minimum_interval_seconds=1,
    default_status=DefaultSensorStatus.RUNNING,
    description="Turns request files dropped in the inbox into partitions and generation runs.",
)
def request_inbox_sensor(context: SensorEvaluationContext, nodegen: NodegenResource) -> SensorResult | SkipReason:
    settings = nodegen.settings()
    cursor = json.loads(context.cursor) if context.cursor else {"accepted": 0, "rejected": 0}
    scan = scan_inbox(settings.inbox, settings.home)
    for rejected in scan.rejected:
        context.log.warning(f"rejected {rejected.file_name}: {rejected.error} (report: {rejected.report_path})")
    if scan.waiting:
        context.log.info(f"waiting for {len(scan.waiting)} file(s) still being written")
    existing = set(context.instance.get_dynamic_partitions(requests_partitions.name))
    new_keys = sorted({a.partition_key for a in scan.accepted} - existing)
    runs = [
        RunRequest(run_key=accepted.partition_key, partition_key=accepted.partition_key,
                   tags={"nodegen/request_file": accepted.file_name})
        for accepted in scan.accepted
        if not accepted.duplicate or accepted.partition_key in new_keys
    ]
    cursor = {
        "accepted": cursor["accepted"] + len(scan.accepted),
        "rejected": cursor["rejected"] + len(scan.rejected),
    }
    if not scan.accepted and not scan.rejected:
        return SkipReason(f"inbox {settings.inbox} has no new request files")
    return SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=[requests_partitions.build_add_request(new_keys)] if new_keys else [],
        cursor=json.dumps(cursor),
    )
