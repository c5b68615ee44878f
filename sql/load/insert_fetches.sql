insert into fetches by name
select * from read_parquet($files)
