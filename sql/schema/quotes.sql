-- quotes: words attributed to a speaker, quoted (direct) or reported speech (direct = false).
-- A quote split by its attribution ("…," he said, "…") gives one row per quoted part.
create table if not exists quotes (
    article_id          varchar not null,   -- articles.article_id
    quote               varchar not null,   -- the words, without quote marks
    speaker             varchar,            -- normalised name or description of who said it, resolved across the article
    speaker_entity_name varchar,            -- entities.name of the speaker when it is an entity of the article
    cue                 varchar,            -- said, told, added, according to, ":" ...
    direct              boolean not null,   -- true: quoted words; false: reported speech
    start_char          integer not null,   -- offsets of the words (without marks) in articles.text
    end_char            integer not null,
    run_id              varchar not null,
    extractor_version   varchar not null
);
