-- article_changes: what a `newsroom reprocess` run changed, one row per article and field.
-- select field, count(*) from article_changes where run_id = ... group by field
-- tells what a new extractor version did to the corpus.
create table if not exists article_changes (
    run_id                 varchar not null,   -- the reprocess run
    article_id             varchar not null,
    field                  varchar not null,   -- column name in articles
    old_value              varchar,            -- the value before, as text
    new_value              varchar,            -- the value after, as text
    old_extractor_version  varchar,
    new_extractor_version  varchar not null,
    changed_at             timestamp not null  -- UTC
);
