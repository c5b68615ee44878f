-- The sites a run loaded most articles from: site name, else the URL's host, else the source.
with sites as (
    select coalesce(
        nullif(site_name, ''),
        nullif(regexp_extract(url, '^[a-z]+://([^/:]+)', 1), ''),
        'local files'
    ) as site
    from articles
    where run_id = $run_id
)
select site, count(*) as articles
from sites
group by site
order by articles desc, site
limit $top
