insert into duplicate_clusters by name
select cluster_id, article_id, similarity, kind from new_clusters
