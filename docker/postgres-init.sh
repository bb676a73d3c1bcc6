#!/bin/bash
# Runs once, when the postgres volume is initialised (/docker-entrypoint-initdb.d): one database and
# one login role per app, each role owning its database and no other role allowed to connect to it,
# so that a compromised service-b cannot read the auth-server's clients, keys or audit trail.
# Changing a password later: ALTER ROLE <name> PASSWORD '…' (this script does not run again).
set -euo pipefail

# create_app_database <name of the database and of its role> <password>
create_app_database() {
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=name="$1" --set=password="$2" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SQL
}

create_app_database auth_server "${AUTH_SERVER_DB_PASSWORD:?is required}"
create_app_database service_b "${SERVICE_B_DB_PASSWORD:?is required}"
create_app_database service_a "${SERVICE_A_DB_PASSWORD:?is required}"
