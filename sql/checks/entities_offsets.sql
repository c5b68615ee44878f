-- Entities whose offsets do not point at their surface form in the article text.
select e.article_id, e.text, e.start_char, e.end_char
from entities e
join articles a using (article_id)
where e.start_char < 0
   or e.end_char <= e.start_char
   or substr(a.text, e.start_char + 1, e.end_char - e.start_char) <> e.text
