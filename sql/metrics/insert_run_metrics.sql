insert into run_metrics by name
select run_id, measured_at, metric, subject, value from new_metrics
