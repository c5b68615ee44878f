-- What the search index keeps per article to tell a changed article from an unchanged one: one
-- definition for the index's build (create_index.sql) and its updates (index_changes.sql).
create or replace temp view search_state as
select article_id, content_hash, hash(title) as title_hash from articles;
