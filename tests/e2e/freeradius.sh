# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# FreeRADIUS of Debian for the RADIUS tests, sourced: a raddb made in a
# directory of the test's with the sql module on an SQLite file from the
# schema FreeRADIUS ships (radcheck, radreply, radacct ...), one client,
# and the server started and stopped in a network namespace.
#   fr_config DIR SECRET   raddb in DIR/raddb, database DIR/radius.sqlite
#   fr_sql SQL             run SQL on that database
#   fr_start NS            start it in namespace NS (pid in FR_PID)
#   fr_stop                stop it
FR_SCHEMA=/etc/freeradius/3.0/mods-config/sql/main/sqlite/schema.sql
FR_DIR=
FR_PID=

# fr_available: whether this host can run the tests' FreeRADIUS.
fr_available() {
	command -v freeradius >/dev/null && command -v sqlite3 >/dev/null &&
		[ -f "$FR_SCHEMA" ]
}

fr_config() {
	local r=$1/raddb
	FR_DIR=$1
	cp -a /etc/freeradius/3.0 "$r" || return 1
	sed -i -e '/^\s*user = /d' -e '/^\s*group = /d' \
		-e "s|^\s*run_dir = .*|run_dir = $FR_DIR|" \
		-e "s|^\s*logdir = .*|logdir = $FR_DIR|" \
		-e "s|^\s*reject_delay = .*|reject_delay = 0|" "$r/radiusd.conf"
	cat >"$r/clients.conf" <<CONF
client tungate {
	ipaddr = 127.0.0.1
	secret = $2
}
CONF
	sed -i -e 's|^\s*driver = "rlm_sql_null"|	driver = "rlm_sql_sqlite"|' \
		-e 's|^\s*dialect = .*|	dialect = "sqlite"|' \
		-e "s|^\(\s*\)filename = .*\.db\"|\1filename = \"$FR_DIR/radius.sqlite\"|" \
		"$r/mods-available/sql"
	ln -sf ../mods-available/sql "$r/mods-enabled/sql"
	grep -q "rlm_sql_sqlite" "$r/mods-available/sql" &&
		sqlite3 "$FR_DIR/radius.sqlite" <"$FR_SCHEMA"
}

fr_sql() {
	sqlite3 "$FR_DIR/radius.sqlite" "$@"
}

fr_start() {
	local i
	nsenter --net=/run/netns/"$1" setsid freeradius -f -d "$FR_DIR/raddb" \
		-l "$FR_DIR/radius.log" &
	FR_PID=$!
	for ((i = 0; i < 100; i++)); do
		nsenter --net=/run/netns/"$1" ss -Hlun | grep -q ':1813 ' &&
			return 0
		kill -0 "$FR_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

fr_stop() {
	[ -n "$FR_PID" ] || return 0
	kill "$FR_PID" 2>/dev/null
	wait "$FR_PID" 2>/dev/null
	FR_PID=
}

# fr_cleanup: the end of a suite with a daemon and FreeRADIUS in $TMP: on
# a failure their logs' last lines, then FreeRADIUS and the topology gone.
fr_cleanup() {
	if [ "$failed" -gt 0 ]; then
		for f in run.log radius.log; do
			[ -f "$TMP/$f" ] || continue
			echo "       $f, last lines:"
			tail -30 "$TMP/$f" | sed 's/^/       /'
		done
	fi
	fr_stop
	topo_cleanup
}
