-- The people and organisations quoted most in a run's articles (direct and reported speech).
select speaker, count(*) as quotes
from quotes
where run_id = $run_id
  and speaker is not null
group by speaker
order by quotes desc, speaker
limit $top
