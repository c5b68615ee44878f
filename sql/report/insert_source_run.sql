insert into source_runs (
    source_name, run_id, flow_run_id, finished_at, status, inputs, loaded, rejected, reject_rate, message
)
values (
    $source_name, $run_id, $flow_run_id, $finished_at, $status, $inputs, $loaded, $rejected, $reject_rate, $message
)
