-- Articles whose cleaned text is empty or whitespace, or whose word count says so.
select article_id, source, word_count
from articles
where trim(text) = '' or word_count <= 0
