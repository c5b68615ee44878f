insert into runs (
    run_id, started_at, finished_at, status, inputs, loaded, rejected, skipped, deferred,
    rejected_by_reason, skipped_by_reason, arguments, versions, extractor_version, flow_run_id, message
)
values (
    $run_id, $started_at, $finished_at, $status, $inputs, $loaded, $rejected, $skipped, $deferred,
    $rejected_by_reason, $skipped_by_reason, $arguments, $versions, $extractor_version, $flow_run_id, $message
)
