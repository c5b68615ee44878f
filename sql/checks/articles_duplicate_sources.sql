-- One article per source: a changed source replaces its article.
select source, count(*) as articles
from articles
group by source
having count(*) > 1
