insert into rejects by name
select * from read_parquet($files)
