-- Pairs of signed articles whose MinHash signatures say they are near-duplicates (estimated
-- Jaccard similarity of word 5-grams >= $threshold), found as datasketch's MinHashLSH finds
-- candidates: the signature cut into $bands bands of $rows values, two articles are candidates
-- when one band is equal. Runs in DuckDB: no signature is loaded into Python.
with signed as (
    select s.article_id, s.signature
    from article_signatures s
    semi join articles a using (article_id)
),
bands as (
    select article_id, band, list_slice(signature, band * $rows + 1, (band + 1) * $rows) as slice
    from signed, range($bands) t(band)
),
candidates as (
    select distinct x.article_id as first_id, y.article_id as other_id
    from bands x
    join bands y on x.band = y.band and x.slice = y.slice and x.article_id < y.article_id
)
select c.first_id, c.other_id
from candidates c
join signed f on f.article_id = c.first_id
join signed o on o.article_id = c.other_id
where len(list_filter(list_zip(f.signature, o.signature), lambda p: p[1] = p[2])) / len(f.signature) >= $threshold
order by all
