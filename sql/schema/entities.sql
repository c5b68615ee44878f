-- entities: named-entity mentions in articles.text (spaCy NER, English articles).
-- substr(articles.text, start_char + 1, end_char - start_char) = text for every row
-- (sql/checks/entities_offsets.sql). Rows go with their article when it is replaced.
create table if not exists entities (
    article_id        varchar not null,     -- articles.article_id
    text              varchar not null,     -- surface form as in the text
    name              varchar not null,     -- normalised within the article: "Gen. Brown", "Brown" -> "Charles Q. Brown Jr."
    label             varchar not null,     -- PERSON, ORG, GPE, LOC, NORP, ...
    start_char        integer not null,     -- offset into articles.text (0-based, Python characters)
    end_char          integer not null,     -- exclusive
    run_id            varchar not null,
    extractor_version varchar not null
);
