-- Reprocess: drop the stored entities of re-extracted articles that changed in this run
-- (insert_entities.sql then adds the new ones).
delete from entities
where article_id in (select article_id from read_parquet($articles))
  and article_id in (select article_id from article_changes where run_id = $run_id)
