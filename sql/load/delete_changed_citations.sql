-- Reprocess: drop the stored citations of re-extracted articles that changed in this run
-- (insert_citations.sql then adds the new ones).
delete from citations
where article_id in (select article_id from read_parquet($articles))
  and article_id in (select article_id from article_changes where run_id = $run_id)
