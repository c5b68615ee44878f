-- article_overview: one row per article, ready for a BI tool.
-- Where it came from (source, site, run), what it is (title, language, date, length) and whether it
-- has copies (duplicate cluster), and what the extractors found in it: entities, quotes, citations, links.
-- A count is NULL when its extractor did not run on the article (entities, quotes and citations are
-- English only; links need HTML), and 0 when it ran and found nothing.
create or replace view article_overview as
with clusters as (
    select article_id, cluster_id, kind as duplicate_kind, similarity as duplicate_similarity
    from duplicate_clusters
),
cluster_sizes as (
    select cluster_id, count(*) as copies
    from duplicate_clusters
    group by cluster_id
),
entity_counts as (
    select article_id, count(*) as n from entities group by article_id
),
quote_counts as (
    select article_id, count(*) as n from quotes group by article_id
),
citation_counts as (
    select article_id, count(*) as n from citations group by article_id
),
link_counts as (
    select article_id, count(*) as n from links group by article_id
)
select
    a.article_id,
    a.title,
    a.url,
    coalesce(a.site_name, nullif(regexp_extract(a.url, '^[a-z]+://([^/]+)', 1), '')) as site,
    a.source,
    a.language,
    a.published_at,
    cast(a.published_at as date) as published_on,
    a.authors,
    a.word_count,
    a.input_kind,
    c.cluster_id as duplicate_cluster_id,
    c.duplicate_kind,
    coalesce(s.copies, 1) as copies,
    case when list_contains(a.extractors, 'entities') then coalesce(e.n, 0) end as entities,
    case when list_contains(a.extractors, 'quotes') then coalesce(q.n, 0) end as quotes,
    case when list_contains(a.extractors, 'citations') then coalesce(ci.n, 0) end as citations,
    case when list_contains(a.extractors, 'links') then coalesce(l.n, 0) end as links,
    a.run_id,
    a.ingested_at,
    a.extractor_version
from articles a
left join clusters c using (article_id)
left join cluster_sizes s using (cluster_id)
left join entity_counts e using (article_id)
left join quote_counts q using (article_id)
left join citation_counts ci using (article_id)
left join link_counts l using (article_id)
