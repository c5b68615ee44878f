select count(*) > 0 from duckdb_schemas() where schema_name = 'fts_main_articles'
