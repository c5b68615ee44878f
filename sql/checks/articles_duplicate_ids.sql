-- article_id must be unique: the loader skips ids it already has.
select article_id, count(*) as copies
from articles
group by article_id
having count(*) > 1
