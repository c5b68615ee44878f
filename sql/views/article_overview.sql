-- article_overview: one row per article, ready for a BI tool.
-- Where it came from (source, site, run), what it is (title, language, date, length) and whether it
-- has copies (duplicate cluster). Counts of entities, quotes and links join here once those tables exist.
create or replace view article_overview as
with clusters as (
    select article_id, cluster_id, kind as duplicate_kind, similarity as duplicate_similarity
    from duplicate_clusters
),
cluster_sizes as (
    select cluster_id, count(*) as copies
    from duplicate_clusters
    group by cluster_id
)
select
    a.article_id,
    a.title,
    a.url,
    coalesce(a.site_name, regexp_extract(a.url, '^[a-z]+://([^/]+)', 1)) as site,
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
    a.run_id,
    a.ingested_at,
    a.extractor_version
from articles a
left join clusters c using (article_id)
left join cluster_sizes s using (cluster_id)
