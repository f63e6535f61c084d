# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A PostgreSQL cluster of the test's own: initdb in $PG_DIR (owned by
# user postgres, as initdb refuses root), listening on a socket in that
# directory only. pg_init makes it and sets PG_URL; pg_stop and pg_start
# stop and start it again; pg_standby makes a hot standby of it in a
# directory of its own (PG_STANDBY_DIR), pg_promote makes that a primary;
# pg_cleanup stops both and removes their directories (for the EXIT
# trap). The directories' parents must let user postgres through (chmod
# 0711 on a mktemp -d).
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_STANDBY_DIR=

# pg_require: skip (lib.sh's) when the server or its user is missing.
pg_require() {
	[ -x "$PG_BIN/initdb" ] || skip "PostgreSQL server not installed (postgresql)"
	command -v psql >/dev/null || skip "psql not installed"
	id postgres >/dev/null 2>&1 || skip "no user postgres"
}

pg_as() {
	runuser -u postgres -- "$@"
}

# pg_dir DIR: an empty directory user postgres owns.
pg_dir() {
	mkdir -p "$1" &&
	chown postgres "$1" &&
	chmod 0755 "$1"
}

# pg_init DIR: a new cluster with a database tungate whose owner is root.
pg_init() {
	PG_DIR=$1
	pg_dir "$PG_DIR" || return 1
	pg_as "$PG_BIN/initdb" -A trust -U postgres -D "$PG_DIR/data" >/dev/null
	pg_start || return 1
	pg_as "$PG_BIN/psql" -h "$PG_DIR" -U postgres -qc "CREATE ROLE root LOGIN" postgres &&
	pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres -O root tungate
	# shellcheck disable=SC2034
	PG_URL="postgresql:///tungate?host=$PG_DIR"
}

# pg_start [DIR], pg_stop [DIR [MODE]]: the cluster in DIR ($PG_DIR by
# default); MODE is pg_ctl's (fast by default, immediate: as a crash).
pg_start() {
	local dir=${1:-$PG_DIR}
	pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
		-o "-k $dir -c listen_addresses=''" start >/dev/null
}

pg_stop() {
	local dir=${1:-$PG_DIR}
	pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -m "${2:-fast}" -w stop >/dev/null
}

# pg_standby DIR: a hot standby of the cluster in $PG_DIR, streaming from
# its socket, in DIR: the primary's WAL fit for it (wal_level replica)
# and a replication entry for its socket in pg_hba.conf, a base backup
# with the standby's settings (pg_basebackup -R), started; returns once
# it streams.
pg_standby() {
	local hba=$PG_DIR/data/pg_hba.conf _
	PG_STANDBY_DIR=$1
	case $(pg_sql "SHOW wal_level") in
	replica | logical) ;;
	*) echo "pg_standby: wal_level of $PG_DIR is not replica" >&2; return 1 ;;
	esac
	if ! grep -qE '^local[[:space:]]+replication[[:space:]]' "$hba"; then
		echo "local replication all trust" >>"$hba" &&
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" reload >/dev/null || return 1
	fi
	pg_dir "$1" &&
	pg_as "$PG_BIN/pg_basebackup" -h "$PG_DIR" -U postgres -D "$1/data" \
		-R -X stream -c fast &&
	pg_start "$1" || return 1
	for _ in $(seq 100); do
		[ "$(pg_as "$PG_BIN/psql" -h "$1" -U postgres -XAtc \
			"SELECT status FROM pg_stat_wal_receiver" postgres 2>/dev/null)" = streaming ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# pg_caught_up: the standby has replayed all the primary wrote.
pg_caught_up() {
	local lsn
	lsn=$(pg_sql "SELECT pg_current_wal_lsn()") &&
	test "$(pg_sql "SELECT pg_last_wal_replay_lsn() >= '$lsn'" "$PG_STANDBY_DIR")" = t
}

# pg_promote DIR: the standby in DIR a primary (returns once it is).
pg_promote() {
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -w promote >/dev/null
}

pg_cleanup() {
	local dir
	for dir in "$PG_STANDBY_DIR" "${PG_DIR:-}"; do
		[ -n "$dir" ] || continue
		[ -f "$dir/data/postmaster.pid" ] && pg_stop "$dir" immediate 2>/dev/null
		rm -rf "$dir"
	done
}

# psql as root on the test's database: pg_sql SQL [DIR] (default $PG_DIR)
pg_sql() {
	psql -h "${2:-$PG_DIR}" -XAtq -v ON_ERROR_STOP=1 -c "$1" tungate
}
