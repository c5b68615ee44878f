insert into runs (run_id, started_at, status, arguments, versions, extractor_version, flow_run_id)
values ($run_id, $started_at, 'running', $arguments, $versions, $extractor_version, $flow_run_id)
