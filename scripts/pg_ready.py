"""Exit 0 if the PostgreSQL server in the URL given as the first argument answers."""

import sys

import psycopg

try:
    with psycopg.connect(sys.argv[1], connect_timeout=3) as connection:
        connection.execute("SELECT 1")
except Exception:
    sys.exit(1)
