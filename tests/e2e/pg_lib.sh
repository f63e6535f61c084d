# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A PostgreSQL cluster of the test's own: initdb in $PG_DIR (owned by
# user postgres, as initdb refuses root), listening on a socket in that
# directory only. pg_init makes it and sets PG_URL; pg_stop and pg_start
# stop and start it again; pg_cleanup stops it and removes the directory
# (for the EXIT trap). The directory's parents must let user postgres
# through (chmod 0711 on a mktemp -d).
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

# pg_require: skip (lib.sh's) when the server or its user is missing.
pg_require() {
	[ -x "$PG_BIN/initdb" ] || skip "PostgreSQL server not installed (postgresql)"
	command -v psql >/dev/null || skip "psql not installed"
	id postgres >/dev/null 2>&1 || skip "no user postgres"
}

pg_as() {
	runuser -u postgres -- "$@"
}

# pg_init DIR: a new cluster with a database tungate whose owner is root.
pg_init() {
	PG_DIR=$1
	mkdir -p "$PG_DIR"
	chown postgres "$PG_DIR"
	chmod 0755 "$PG_DIR"
	pg_as "$PG_BIN/initdb" -A trust -U postgres -D "$PG_DIR/data" >/dev/null
	pg_start || return 1
	pg_as "$PG_BIN/psql" -h "$PG_DIR" -U postgres -qc "CREATE ROLE root LOGIN" postgres &&
	pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres -O root tungate
	# shellcheck disable=SC2034
	PG_URL="postgresql:///tungate?host=$PG_DIR"
}

pg_start() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
		-o "-k $PG_DIR -c listen_addresses=''" start >/dev/null
}

pg_stop() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
}

pg_cleanup() {
	[ -n "${PG_DIR:-}" ] || return 0
	[ -f "$PG_DIR/data/postmaster.pid" ] && pg_stop 2>/dev/null
	rm -rf "$PG_DIR"
}

# psql as root on the test's database: pg_sql SQL
pg_sql() {
	psql -h "$PG_DIR" -XAtq -v ON_ERROR_STOP=1 -c "$1" tungate
}
