-- The stored articles this load replaces, computed once for the deletes that follow
-- (delete_replaced_<table>.sql, then delete_replaced_articles.sql), in the load's transaction:
-- - the article a source produced before, when that source produced a new article;
-- - an article whose record left its rewritten WARC file (source '<file>#gone-…', see
--   relocate_rewritten_records) when a new article from the same file has its URL: its new version.
create or replace temp table replaced_articles as
select article_id
from articles
where source in (select source from read_parquet($files))
   or (contains(source, '#gone-') and exists (
        select 1 from read_parquet($files) n
        where n.url = articles.url
          and starts_with(articles.source, regexp_extract(n.source, '^(.*#)(offset|record)=[0-9]+$', 1) || 'gone-')))
