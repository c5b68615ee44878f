-- Remove the stored version of every re-extracted article that changed in this run;
-- insert_articles.sql then adds the new version.
delete from articles
where article_id in (select article_id from read_parquet($files))
  and article_id in (select article_id from article_changes where run_id = $run_id)
