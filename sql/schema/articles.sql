-- articles: one row per input that became an article; the current state of the corpus.
-- article_id is the hash of the input's bytes: the same input always has the same id.
-- source identifies the input (file path, URL, archive record); a changed source replaces its row.
create table if not exists articles (
    article_id        varchar not null,     -- unique: see sql/checks/articles_duplicate_ids.sql
    source            varchar not null,
    url               varchar,              -- canonical URL when the page declares one
    title             varchar,
    authors           varchar[],
    published_at      timestamp,            -- UTC
    language          varchar,              -- ISO 639-1
    site_name         varchar,
    description       varchar,
    text              varchar not null,     -- cleaned main text
    word_count        integer not null,
    content_hash      varchar not null,     -- hash of text with whitespace folded
    input_kind        varchar not null,     -- html | text
    fetched_at        timestamp,            -- UTC; when a crawler fetched the page (WARC-Date)
    run_id            varchar not null,
    ingested_at       timestamp not null,   -- UTC
    extractor_version varchar not null
);
