-- source_health: per site, how many inputs became articles or were rejected, and when it last worked.
-- A site is the page's site name or URL host; for local files, the folder they were read from.
-- Fetch counts (fetched, failed) join here once the fetch stage records them.
create or replace view source_health as
with article_sites as (
    select
        coalesce(
            site_name,
            nullif(regexp_extract(url, '^[a-z]+://([^/]+)', 1), ''),
            nullif(regexp_extract(source, '^[a-z]+://([^/]+)', 1), ''),
            regexp_replace(source, '/[^/]*$', '')
        ) as site,
        ingested_at
    from articles
),
reject_sites as (
    select
        coalesce(
            nullif(regexp_extract(source, '^[a-z]+://([^/]+)', 1), ''),
            regexp_replace(source, '/[^/]*$', '')
        ) as site,
        reason
    from rejects
),
loaded as (
    select site, count(*) as articles, max(ingested_at) as last_success
    from article_sites
    group by site
),
failed as (
    select site, count(*) as rejected, mode(reason) as top_reject_reason
    from reject_sites
    group by site
)
select
    site,
    coalesce(l.articles, 0) as articles,
    coalesce(f.rejected, 0) as rejected,
    coalesce(f.rejected, 0) / (coalesce(l.articles, 0) + coalesce(f.rejected, 0)) as reject_rate,
    f.top_reject_reason,
    l.last_success
from loaded l
full join failed f using (site)
