-- citations: other outlets or documents the article names as its source
-- ("the New York Times reported", "according to Reuters", "told the BBC").
create table if not exists citations (
    article_id        varchar not null,     -- articles.article_id
    outlet            varchar not null,     -- normalised outlet name
    cited_title       varchar,              -- headline of the cited piece, when the article gives it
    start_char        integer not null,     -- offsets of the outlet mention in articles.text
    end_char          integer not null,
    run_id            varchar not null,
    extractor_version varchar not null
);
