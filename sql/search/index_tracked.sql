-- A search index that records what it holds (built since the index is updated in place).
select count(*) > 0 from duckdb_tables() where schema_name = 'fts_main_articles' and table_name = 'indexed'
