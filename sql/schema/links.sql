-- links: every link inside the main content of an HTML article.
create table if not exists links (
    article_id        varchar not null,     -- articles.article_id
    href              varchar not null,     -- absolute URL
    anchor_text       varchar,
    is_external       boolean,              -- host differs from the article's own (null when the article has no URL)
    run_id            varchar not null,
    extractor_version varchar not null
);
