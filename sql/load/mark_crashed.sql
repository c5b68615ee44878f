-- A run whose process died before loading: its inputs will be processed by the next run.
update runs
set status = 'crashed', message = 'The run stopped before loading; its inputs are processed again by the next run.'
where run_id = $run_id and status = 'running'
