-- Every article's content hash and signature, the input of clustering.
select a.article_id, a.content_hash, s.signature
from articles a
join article_signatures s using (article_id)
order by a.article_id
