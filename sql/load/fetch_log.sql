-- For each wanted URL: the validators of its latest successful fetch, its latest outcome,
-- and how many runs deferred it.
with wanted as (
    select distinct url from wanted_urls
),
attempts as (
    select f.*
    from fetches f
    join wanted w using (url)
    where f.purpose <> 'robots' and f.outcome <> 'retry'
),
latest as (
    select url, outcome, fetched_at
    from attempts
    qualify row_number() over (partition by url order by fetched_at desc) = 1
),
validators as (
    select url, etag, last_modified
    from attempts
    where outcome in ('fetched', 'not_modified')
    qualify row_number() over (partition by url order by fetched_at desc) = 1
),
deferrals as (
    select url, count(*) as deferred_runs
    from attempts
    where outcome = 'deferred'
    group by url
)
select
    l.url,
    l.outcome,
    l.fetched_at,
    v.etag,
    v.last_modified,
    coalesce(d.deferred_runs, 0) as deferred_runs
from latest l
left join validators v using (url)
left join deferrals d using (url)
