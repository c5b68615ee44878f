-- How many of a source's most recent runs failed in a row (0 when the last one completed).
with ordered as (
    select
        status,
        row_number() over (order by finished_at desc, run_id desc) as age
    from source_runs
    where source_name = $source_name
),
last_success as (
    select min(age) as age from ordered where status = 'completed'
)
select coalesce((select age - 1 from last_success), (select count(*) from ordered)) as streak
