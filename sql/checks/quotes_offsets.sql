-- Quotes whose offsets fall outside the article text or do not hold the quoted words.
select q.article_id, q.quote, q.start_char, q.end_char
from quotes q
join articles a using (article_id)
where q.start_char < 0
   or q.end_char <= q.start_char
   or q.end_char > length(a.text)
   or substr(a.text, q.start_char + 1, q.end_char - q.start_char) <> q.quote
