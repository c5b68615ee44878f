-- rejects: one row per input that could not become an article, with the stage and reason.
-- A log: rows stay when the input is later fixed and loaded.
create table if not exists rejects (
    run_id            varchar not null,
    source            varchar not null,
    input_id          varchar,              -- hash of the input's bytes, when they could be read
    stage             varchar not null,     -- read | decode | clean
    reason            varchar not null,     -- short code, see README "Reject reasons"
    detail            varchar,
    rejected_at       timestamp not null,   -- UTC
    extractor_version varchar not null
);
