-- quotes_by_speaker: one row per speaker: how often and where they were quoted, and one example.
-- Counted over articles_deduplicated, so copies of one story count once. speaker is the name
-- normalised within each article; speaker_label is its entity label (PERSON, ORG ...) when the
-- speaker is an entity of the article. quotes include reported speech; direct_quotes do not.
create or replace view quotes_by_speaker as
with story_quotes as (
    select q.*, a.published_at
    from quotes q
    join articles_deduplicated a using (article_id)
),
speaker_labels as (
    select distinct article_id, name, label
    from entities
)
select
    q.speaker,
    mode(l.label) as speaker_label,
    count(*) as quotes,
    count(*) filter (where q.direct) as direct_quotes,
    count(distinct q.article_id) as articles,
    min(q.published_at) as first_published,
    max(q.published_at) as last_published,
    first(q.quote order by q.direct desc, length(q.quote) desc, q.quote) as example_quote
from story_quotes q
left join speaker_labels l on l.article_id = q.article_id and l.name = q.speaker_entity_name
where q.speaker is not null
group by q.speaker
