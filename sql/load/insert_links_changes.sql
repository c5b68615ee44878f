-- Reprocess: a re-extracted article whose links differ from the stored ones gets one
-- article_changes row (field 'links', old and new row counts with a digest of the rows).
insert into article_changes by name
with batch as (
    select article_id, extractor_version from read_parquet($articles)
),
fresh as (
    select article_id, count(*) as n, md5(string_agg(cast(t as varchar), '|' order by cast(t as varchar))) as digest
    from (select * exclude (run_id, extractor_version) from read_parquet($files)) t
    group by article_id
),
stored as (
    select article_id, count(*) as n, md5(string_agg(cast(t as varchar), '|' order by cast(t as varchar))) as digest
    from (
        select * exclude (run_id, extractor_version)
        from links
        where article_id in (select article_id from batch)
    ) t
    group by article_id
)
select
    $run_id as run_id,
    b.article_id,
    'links' as field,
    coalesce(s.n, 0) || ' rows ' || coalesce(s.digest, '-') as old_value,
    coalesce(f.n, 0) || ' rows ' || coalesce(f.digest, '-') as new_value,
    a.extractor_version as old_extractor_version,
    b.extractor_version as new_extractor_version,
    $changed_at as changed_at
from batch b
join articles a using (article_id)
left join fresh f using (article_id)
left join stored s using (article_id)
where s.digest is distinct from f.digest
