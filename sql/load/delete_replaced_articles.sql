-- A source that produced a new article replaces the article it produced before.
delete from articles
where source in (select source from read_parquet($files))
