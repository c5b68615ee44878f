-- fetches: one row per HTTP fetch attempt (pages, feeds, sitemaps, robots.txt): the fetch log.
-- Conditional requests take their validators from it, and URLs whose latest row is
-- 'deferred' are fetched again by the next run.
create table if not exists fetches (
    run_id        varchar not null,
    url           varchar not null,     -- the URL asked for (an article's `source`)
    final_url     varchar,              -- after redirects
    purpose       varchar not null,     -- page | feed | sitemap | auto | robots
    attempt       integer not null,     -- 1 for the first try in this run, 2.. for retries
    status        integer,              -- HTTP status of the last response; null: no response
    bytes         bigint,               -- body bytes on the wire (before content decoding)
    content_type  varchar,
    fetched_at    timestamp not null,   -- UTC, when the request started
    elapsed_ms    integer not null,     -- whole attempt, redirects included
    etag          varchar,
    last_modified varchar,
    outcome       varchar not null,     -- fetched | not_modified | rejected | retry | deferred | robots
    reason        varchar,              -- reject/defer/skip reason, or robots.txt state
    detail        varchar,
    warc_file     varchar,              -- raw archive file, relative to the warehouse
    warc_offset   bigint,               -- offset of the response record (or the metadata record)
    input_id      varchar               -- hash of the decoded body: the article_id it becomes
);
