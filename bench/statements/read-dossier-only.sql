\set n random(1, :ncodes)
SELECT code AS c FROM bench_codes WHERE n = :n \gset
SELECT d.* FROM dossiers d WHERE d.code = :c;
