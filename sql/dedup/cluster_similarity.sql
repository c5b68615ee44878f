-- Each cluster member's estimated Jaccard similarity to its cluster's first article, and
-- whether it is an exact copy of it (same content hash); `cluster_members` is registered.
select m.cluster_id, m.article_id,
       case when a.content_hash = f.content_hash then 1.0
            else len(list_filter(list_zip(fs.signature, ms.signature), lambda p: p[1] = p[2])) / len(fs.signature)
       end as similarity,
       case when a.content_hash = f.content_hash then 'exact' else 'near' end as kind
from cluster_members m
join articles a on a.article_id = m.article_id
join articles f on f.article_id = m.cluster_id
join article_signatures ms on ms.article_id = m.article_id
join article_signatures fs on fs.article_id = m.cluster_id
order by m.cluster_id, m.article_id
