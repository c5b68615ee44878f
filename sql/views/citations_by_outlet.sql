-- citations_by_outlet: one row per outlet other articles name as their source ("according to Reuters").
-- citations counts mentions, articles the articles naming it, sites the sites that cite it;
-- cited_titles are the headlines of its pieces that articles quote. Counted over
-- articles_deduplicated, so copies of one story count once.
create or replace view citations_by_outlet as
with story_citations as (
    select
        c.outlet,
        c.cited_title,
        c.article_id,
        coalesce(a.site_name, nullif(regexp_extract(a.url, '^[a-z]+://([^/]+)', 1), ''), a.source) as citing_site,
        a.published_at
    from citations c
    join articles_deduplicated a using (article_id)
)
select
    outlet,
    count(*) as citations,
    count(distinct article_id) as articles,
    count(distinct citing_site) as sites,
    list(distinct cited_title order by cited_title) filter (where cited_title is not null) as cited_titles,
    min(published_at) as first_published,
    max(published_at) as last_published
from story_citations
group by outlet
