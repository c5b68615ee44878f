-- URLs whose latest fetch was deferred (server down, timeouts, 429 ...): the next run takes them.
with attempts as (
    select url, purpose, outcome, fetched_at
    from fetches
    where purpose <> 'robots' and outcome <> 'retry'
),
latest as (
    select url, purpose, outcome
    from attempts
    qualify row_number() over (partition by url order by fetched_at desc) = 1
)
select url, purpose
from latest
where outcome = 'deferred'
order by url
