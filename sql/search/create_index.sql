-- BM25 index over title and text; overwrite=1 replaces the previous index in one go.
pragma create_fts_index('articles', 'article_id', 'title', 'text', overwrite = 1)
