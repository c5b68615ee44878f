-- Share of null (or empty-list) values per column among the run's articles; none when it loaded none.
with run_articles as (
    select * from articles where run_id = $run_id
),
stats as (
    select column_name, null_percentage, count
    from (summarize run_articles)
),
empty_authors as (
    select count(*) filter (where len(authors) = 0) as empty from run_articles
)
select
    'null_rate' as metric,
    'articles.' || s.column_name as subject,
    case when s.column_name = 'authors' and s.count > 0
        then s.null_percentage / 100 + (select empty from empty_authors) / s.count
        else s.null_percentage / 100
    end as value
from stats s
where s.count > 0
