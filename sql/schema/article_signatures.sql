-- article_signatures: the MinHash signature (128 x uint32) of each article's word 5-grams.
-- Kept so near-duplicate clustering signs only new articles; see tasks/dedup.py.
create table if not exists article_signatures (
    article_id varchar not null,
    signature  uinteger[] not null
);
