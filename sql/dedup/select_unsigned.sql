-- Articles that have no MinHash signature yet (new since the last load).
select a.article_id, a.text
from articles a
anti join article_signatures s using (article_id)
order by a.article_id
