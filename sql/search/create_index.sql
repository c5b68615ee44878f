-- BM25 index over title and text; overwrite=1 replaces the previous index in one go.
pragma create_fts_index('articles', 'article_id', 'title', 'text', overwrite = 1);
-- What the index holds, by article (tasks/search.py `update_search_index` compares it with
-- `articles`, sql/search/index_state.sql); inside the index's schema, so it goes with the index.
create table fts_main_articles.indexed as
select * from search_state;
