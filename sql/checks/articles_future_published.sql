-- Articles dated more than a day in the future (a wrong time zone or a misread date).
select article_id, source, published_at
from articles
where published_at > current_timestamp::timestamp + interval 1 day
