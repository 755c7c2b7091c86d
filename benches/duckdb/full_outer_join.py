"""The yardstick of docs/PERFORMANCE.md: DuckDB doing only a plain FULL OUTER
JOIN of the roster and the returned file, both read as text, written to CSV.

    python3 benches/duckdb/full_outer_join.py ROSTER RETURNED OUT.csv
"""
import sys
import duckdb

roster, returned, out = sys.argv[1:4]
con = duckdb.connect()
con.execute(f"""
COPY (
  SELECT *
  FROM read_csv('{roster}', all_varchar = true, header = true) r
  FULL OUTER JOIN read_csv('{returned}', all_varchar = true, header = true) t
  ON lower(trim(r.UserPrincipalName)) = lower(trim(t.UserPrincipalName))
) TO '{out}' (HEADER, DELIMITER ',')
""")
