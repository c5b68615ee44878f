-- duplicate_clusters: articles that are copies of each other; only articles with a twin appear.
-- Rebuilt after every load. kind: exact (same content_hash) | near (MinHash similarity >= threshold).
create table if not exists duplicate_clusters (
    cluster_id  varchar not null,   -- the smallest article_id of the cluster
    article_id  varchar not null,
    similarity  double not null,    -- estimated Jaccard similarity of word 5-grams to the cluster's first article
    kind        varchar not null
);
