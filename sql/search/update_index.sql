-- Update the fts extension's BM25 tables in place for the articles in search_stale and
-- search_fresh (sql/search/index_changes.sql), as `pragma create_fts_index` would have built
-- them: same tokenizer macro, stopwords and porter stemmer; `docs.len` counts a document's
-- terms, `dict.df` the documents holding a term, `stats` the document count and mean length.
-- Ids of new documents and terms continue after the largest ones; scores do not depend on them.

-- 1. the stale documents leave
create or replace temp table search_gone as
select docid from fts_main_articles.docs where name in (select article_id from search_stale);

update fts_main_articles.dict d
set df = d.df - g.n
from (
    select termid, count(distinct docid) as n
    from fts_main_articles.terms
    where docid in (select docid from search_gone)
    group by termid
) g
where d.termid = g.termid;

delete from fts_main_articles.terms where docid in (select docid from search_gone);
delete from fts_main_articles.docs where docid in (select docid from search_gone);
delete from fts_main_articles.indexed where article_id in (select article_id from search_stale);

-- 2. the fresh documents come in
create or replace temp table search_new_docs as
select (select coalesce(max(docid), -1) from fts_main_articles.docs) + row_number() over (order by article_id) as docid,
       article_id as name
from search_fresh;

create or replace temp table search_new_terms as
with tokenized as (
    select unnest(fts_main_articles.tokenize(a.title)) as w, n.docid,
           (select fieldid from fts_main_articles.fields where field = 'title') as fieldid
    from articles a join search_new_docs n on n.name = a.article_id
    union all
    select unnest(fts_main_articles.tokenize(a.text)) as w, n.docid,
           (select fieldid from fts_main_articles.fields where field = 'text') as fieldid
    from articles a join search_new_docs n on n.name = a.article_id
)
select stem(w, 'porter') as term, docid, fieldid
from tokenized
where w is not null and len(w) > 0 and w not in (select sw from fts_main_articles.stopwords);

insert into fts_main_articles.dict (termid, term, df)
select (select coalesce(max(termid), -1) from fts_main_articles.dict) + row_number() over (order by term), term, 0
from (select distinct term from search_new_terms where term not in (select term from fts_main_articles.dict));

insert into fts_main_articles.terms (docid, fieldid, termid)
select t.docid, t.fieldid, d.termid
from search_new_terms t join fts_main_articles.dict d on d.term = t.term;

update fts_main_articles.dict d
set df = d.df + g.n
from (select term, count(distinct docid) as n from search_new_terms group by term) g
where d.term = g.term;

insert into fts_main_articles.docs (docid, name, len)
select n.docid, n.name, coalesce(l.len, 0)
from search_new_docs n
left join (select docid, count(*) as len from search_new_terms group by docid) l on l.docid = n.docid;

insert into fts_main_articles.indexed select * from search_fresh;

-- 3. what every score reads
delete from fts_main_articles.dict where df = 0;

update fts_main_articles.stats
set num_docs = (select count(docid) from fts_main_articles.docs),
    avgdl = (select sum(len) / count(len) from fts_main_articles.docs);
