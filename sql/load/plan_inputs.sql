-- Decide, for each candidate input (source, input_id), whether this run must process it.
-- unchanged: this source already gave this exact input (loaded or rejected) before;
-- duplicate: the same input is already an article under another source; new: process it.
with loaded_here as (
    select c.source, c.input_id
    from candidates c
    join articles a on a.source = c.source and a.article_id = c.input_id
),
rejected_here as (
    select distinct c.source, c.input_id
    from candidates c
    join rejects r on r.source = c.source and r.input_id = c.input_id
),
elsewhere as (
    select distinct c.source, c.input_id
    from candidates c
    join articles a on a.article_id = c.input_id and a.source <> c.source
)
select
    c.source,
    c.input_id,
    case
        when l.source is not null or r.source is not null then 'unchanged'
        when e.source is not null then 'duplicate'
        else 'new'
    end as decision
from candidates c
left join loaded_here l using (source, input_id)
left join rejected_here r using (source, input_id)
left join elsewhere e using (source, input_id)
