-- Signatures of articles that were replaced or removed.
delete from article_signatures
where article_id not in (select article_id from articles)
