update runs set
    finished_at = $finished_at,
    status = $status,
    inputs = $inputs,
    loaded = $loaded,
    rejected = $rejected,
    skipped = $skipped,
    deferred = $deferred,
    rejected_by_reason = $rejected_by_reason,
    skipped_by_reason = $skipped_by_reason,
    message = $message
where run_id = $run_id
