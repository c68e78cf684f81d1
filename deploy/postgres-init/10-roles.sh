#!/bin/sh
# Run once by the postgres image when it creates its database: the least-privilege roles of db/grants.ts, each
# with its password from the environment (.env). `ecp-cutover db migrate` grants them what they may do.
set -eu
for var in ECP_API_DB_PASSWORD ECP_WORKER_DB_PASSWORD ECP_PORTAL_DB_PASSWORD; do
  eval "value=\${$var:-}"
  case "$value" in
    ''|*[!0-9a-f]*) echo "$var must be set to random hex (openssl rand -hex 24)" >&2; exit 1 ;;
  esac
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
create role ecp_api login password '$ECP_API_DB_PASSWORD';
create role ecp_worker login password '$ECP_WORKER_DB_PASSWORD';
create role ecp_portal login password '$ECP_PORTAL_DB_PASSWORD';
SQL
