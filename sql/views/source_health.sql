-- source_health: per site, how its fetches went, how many inputs became articles or were rejected, and
-- when it last worked. A site is the site name its pages declare, else the name most pages of its host
-- declare (which is also how fetches and rejects, which only know the URL, find their site), else the URL
-- host, else, for local files, the folder they were read from. A site name that is only the host again
-- (what the cleaner falls back to) is not a declared name.
-- fetched: HTTP fetches (pages, feeds, sitemaps; robots.txt not counted) answered with content or 304;
-- failed: fetches that ended rejected or deferred (retried attempts count once, by their last outcome);
-- 0 for sites never fetched. rejected counts rejects of every stage, fetch rejects included.
create or replace view source_health as
with article_urls as (
    select
        site_name,
        ingested_at,
        coalesce(
            nullif(lower(regexp_extract(source, '^[a-z]+://([^/]+)', 1)), ''),
            nullif(lower(regexp_extract(url, '^[a-z]+://([^/]+)', 1)), '')
        ) as host,
        regexp_replace(source, '/[^/]*$', '') as folder
    from articles
),
article_hosts as (
    select
        case when ends_with(host, lower(site_name)) then null else site_name end as site_name,
        ingested_at,
        host,
        folder
    from article_urls
),
host_names as (
    select host, mode(site_name) as site_name
    from article_hosts
    where host is not null and site_name is not null
    group by host
),
article_sites as (
    select coalesce(a.site_name, h.site_name, a.host, a.folder) as site, a.ingested_at
    from article_hosts a
    left join host_names h using (host)
),
reject_hosts as (
    select
        nullif(lower(regexp_extract(source, '^[a-z]+://([^/]+)', 1)), '') as host,
        regexp_replace(source, '/[^/]*$', '') as folder,
        reason
    from rejects
),
reject_sites as (
    select coalesce(h.site_name, r.host, r.folder) as site, r.reason
    from reject_hosts r
    left join host_names h using (host)
),
fetch_hosts as (
    select lower(regexp_extract(url, '^[a-z]+://([^/]+)', 1)) as host, outcome, fetched_at
    from fetches
    where purpose <> 'robots' and outcome <> 'retry'
),
fetch_sites as (
    select coalesce(h.site_name, f.host) as site, f.outcome, f.fetched_at
    from fetch_hosts f
    left join host_names h using (host)
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
),
fetched as (
    select
        site,
        count(*) filter (where outcome in ('fetched', 'not_modified')) as fetched,
        count(*) filter (where outcome in ('rejected', 'deferred')) as fetch_failed,
        max(fetched_at) filter (where outcome in ('fetched', 'not_modified')) as last_fetched
    from fetch_sites
    group by site
)
select
    site,
    coalesce(l.articles, 0) as articles,
    coalesce(f.rejected, 0) as rejected,
    coalesce(f.rejected, 0) / nullif(coalesce(l.articles, 0) + coalesce(f.rejected, 0), 0) as reject_rate,
    f.top_reject_reason,
    l.last_success,
    coalesce(x.fetched, 0) as fetched,
    coalesce(x.fetch_failed, 0) as failed,
    x.last_fetched
from loaded l
full join failed f using (site)
full join fetched x using (site)
