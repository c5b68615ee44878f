delete from run_metrics where run_id = $run_id
