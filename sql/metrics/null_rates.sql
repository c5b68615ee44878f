-- Share of missing values per column among the run's articles (an empty authors list counts as
-- missing); no rows when the run loaded no article.
with run_articles as (
    select * from articles where run_id = $run_id
),
present as (
    select
        count(*) as n_rows,
        count(columns(* exclude (authors))),
        count(nullif(len(authors), 0)) as authors
    from run_articles
),
per_column as (
    unpivot present on columns(* exclude (n_rows)) into name column_name value present_rows
)
select 'null_rate' as metric, 'articles.' || column_name as subject, 1 - present_rows / n_rows as value
from per_column
where n_rows > 0
