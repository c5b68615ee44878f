-- articles_deduplicated: the articles with one article per duplicate cluster.
-- Of exact and near copies (syndicated copies, updated versions) it keeps the most recent version:
-- latest published_at, then latest ingested_at, then the smallest article_id.
create or replace view articles_deduplicated as
with ranked as (
    select
        a.*,
        c.cluster_id as duplicate_cluster_id,
        row_number() over (
            partition by coalesce(c.cluster_id, a.article_id)
            order by a.published_at desc nulls last, a.ingested_at desc, a.article_id
        ) as version_rank
    from articles a
    left join duplicate_clusters c using (article_id)
)
select * exclude (version_rank)
from ranked
where version_rank = 1
