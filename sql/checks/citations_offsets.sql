-- Citations whose offsets fall outside the article text.
select c.article_id, c.outlet, c.start_char, c.end_char
from citations c
join articles a using (article_id)
where c.start_char < 0
   or c.end_char <= c.start_char
   or c.end_char > length(a.text)
