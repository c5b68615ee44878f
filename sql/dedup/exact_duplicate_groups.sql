-- Signed articles with the same content hash, as one sorted list of ids per hash.
select list(article_id order by article_id) as members
from articles a
semi join article_signatures s using (article_id)
group by content_hash
having count(*) > 1
order by members[1]
