-- The articles a reprocess run re-extracts: all, or those ingested since a time, or whose
-- source matches a LIKE pattern.
select article_id, source, input_kind, url, fetched_at
from articles
where ($since is null or ingested_at >= $since)
  and ($source is null or source like $source)
order by source
