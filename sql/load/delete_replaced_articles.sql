-- A source that produced a new article replaces the article it produced before. So does a
-- new article from a rewritten WARC file for the article of the same URL whose record had
-- left that file (source '<file>#gone-…', see relocate_rewritten_records): its new version.
delete from articles
where source in (select source from read_parquet($files))
   or (contains(source, '#gone-') and exists (
        select 1 from read_parquet($files) n
        where n.url = articles.url
          and starts_with(articles.source, regexp_extract(n.source, '^(.*#)(offset|record)=[0-9]+$', 1) || 'gone-')))
