-- Cluster members that are no longer articles.
select c.cluster_id, c.article_id
from duplicate_clusters c
anti join articles a using (article_id)
