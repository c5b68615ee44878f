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
    image_url         varchar,              -- the page's lead image (og:image and similar)
    categories        varchar[],            -- sections/categories the page declares
    tags              varchar[],            -- keywords/tags the page declares
    modified_at       timestamp,            -- UTC, last modification the page declares
    is_translation    boolean,              -- the text says it is a translation or carries lines in another language
    original_language varchar,              -- ISO 639-1 of the original or the foreign lines, when known
    text              varchar not null,     -- cleaned main text
    word_count        integer not null,
    content_hash      varchar not null,     -- hash of text with whitespace folded
    input_kind        varchar not null,     -- html | text
    fetched_at        timestamp,            -- UTC; when a crawler fetched the page (WARC-Date)
    extractors        varchar[],            -- extractors that ran on this article (entities, quotes, ...)
    extraction_errors varchar,              -- JSON object extractor -> reason, for extractors that failed here
    run_id            varchar not null,
    ingested_at       timestamp not null,   -- UTC
    extractor_version varchar not null
);
