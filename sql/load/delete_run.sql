-- The `running` row a run wrote at its start; its complete row replaces it at load time.
delete from runs where run_id = $run_id
