# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The database every command of a command line suite works on: the file
# $DB, or, with TG_CLI_PG_URL set (tests/cli/test_cli_pg.sh), that
# PostgreSQL database with $DB its snapshot. tests/cli/lib.sh sources it;
# the suites counting with tests/e2e/result.sh source it themselves.
#
# tg_db_opts: those options in the array TG_DB_OPTS (read when called:
# a suite may move $DB). tg_db ARGS...: $TG with them; a suite adding
# options of its own defines tg() around tg_db.

tg_db_opts() {
	if [ -n "${TG_CLI_PG_URL:-}" ]; then
		TG_DB_OPTS=(--db "$TG_CLI_PG_URL" --snapshot "$DB")
	else
		TG_DB_OPTS=(--db "$DB")
	fi
}
tg_db() {
	tg_db_opts
	"$TG" "${TG_DB_OPTS[@]}" "$@"
}
tg() { tg_db "$@"; }

# cli_pg: true when the suite runs against PostgreSQL.
cli_pg() { [ -n "${TG_CLI_PG_URL:-}" ]; }

# cli_sql SQL: the rows of one query ('|' between columns) from where the
# shared tables live: $DB, or the PostgreSQL database itself (not the
# snapshot, which holds what was pulled).
cli_sql() {
	if cli_pg; then
		psql -XAtq -v ON_ERROR_STOP=1 -d "$TG_CLI_PG_URL" -c "$1"
	else
		sqlite3 "$DB" "$1"
	fi
}
