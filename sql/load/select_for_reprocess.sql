-- The articles a reprocess run re-extracts: all, or those ingested since a time, or whose
-- source matches a LIKE pattern.
-- A page fetched from the web is re-read from the raw archive record its fetch wrote.
with fetched as (
    select url, input_id, warc_file, warc_offset
    from fetches
    where outcome = 'fetched' and input_id is not null
    qualify row_number() over (partition by url, input_id order by fetched_at) = 1
)
select a.article_id, a.source, a.input_kind, a.url, a.fetched_at, f.warc_file, f.warc_offset
from articles a
left join fetched f on f.url = a.source and f.input_id = a.article_id
where ($since is null or a.ingested_at >= $since)
  and ($source is null or a.source like $source)
order by a.source
