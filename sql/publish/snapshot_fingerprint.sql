-- What a good snapshot copy must show: the same rows and the same last run as the original.
select
    (select count(*) from articles) as articles,
    (select count(*) from rejects) as rejects,
    (select count(*) from runs) as runs,
    (select max(run_id) from runs) as last_run
