#!/usr/bin/env bash
# Start a PostgreSQL server on 127.0.0.1:5432 from Debian's packages and create the
# project's database. Prints the DATABASE_URL to use. Safe to run twice.
set -euo pipefail
PGVER=${PGVER:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)}
if [ -z "$PGVER" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql" >&2
  exit 1
fi
DB=${PGDATABASE_NAME:-techmarket}
PASSWORD=${PGPASSWORD_CI:-techmarket}
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$PGVER main$"; then
  pg_createcluster "$PGVER" main -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi
sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "/etc/postgresql/$PGVER/main/postgresql.conf"
pg_ctlcluster "$PGVER" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD '$PASSWORD'\""
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$DB'\"" | grep -q 1 \
  || su postgres -c "createdb $DB"
echo "DATABASE_URL=postgres://postgres:$PASSWORD@127.0.0.1:5432/$DB"
