select * from runs where run_id = $run_id
