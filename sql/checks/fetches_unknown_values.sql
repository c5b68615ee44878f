-- Fetch log rows with an outcome or purpose the fetch log and source_health do not know: they would be
-- counted as neither fetched nor failed.
select url, run_id, purpose, outcome
from fetches
where outcome not in ('fetched', 'not_modified', 'rejected', 'retry', 'deferred', 'robots')
   or purpose not in ('page', 'feed', 'sitemap', 'auto', 'robots')
