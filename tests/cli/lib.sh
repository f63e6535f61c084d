# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the command line suites: counting, and commands that must
# work or be refused (a clear "tungate: " message, nothing on stdout, no
# sanitizer report, the database file unchanged), JSON checks. Source it
# after setting TMP, DB, PY and TG; end with cli_finish. It brings tg
# (tests/cli/tg_db.sh): every command on $DB, or on PostgreSQL.

. "$(dirname "${BASH_SOURCE[0]}")/tg_db.sh"

pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

# expect_ok DESC CMD...: exit 0; output in $TMP/out, $TMP/err.
expect_ok() {
	local desc=$1
	shift
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		ok
	else
		bad "$desc: exit $? ($(cat "$TMP/err"))"
	fi
}

# expect_refused DESC MESSAGE CMD...: non-zero exit, MESSAGE on stderr as
# "tungate: ...", nothing on stdout, database file unchanged.
expect_refused() {
	local desc=$1 msg=$2
	shift 2
	rm -f "$TMP/before.db"
	[ -e "$DB" ] && cp "$DB" "$TMP/before.db"
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		bad "$desc: accepted"
		return
	fi
	if ! grep -qF -- "tungate: " "$TMP/err" ||
	   ! grep -qF -- "$msg" "$TMP/err"; then
		bad "$desc: message '$(cat "$TMP/err")', expected '$msg'"
		return
	fi
	if [ -s "$TMP/out" ]; then
		bad "$desc: printed to stdout: $(cat "$TMP/out")"
		return
	fi
	# Built with sanitizers (make san), a refusal must not hide a report.
	if grep -q 'Sanitizer\|runtime error:' "$TMP/err"; then
		bad "$desc: sanitizer report: $(head -n 5 "$TMP/err")"
		return
	fi
	if [ -e "$TMP/before.db" ] && ! cmp -s "$DB" "$TMP/before.db"; then
		bad "$desc: database changed"
		return
	fi
	if [ -s "$DB-wal" ]; then
		bad "$desc: write-ahead log left behind"
		return
	fi
	if [ ! -e "$TMP/before.db" ] && [ -e "$DB" ]; then
		bad "$desc: database created"
		return
	fi
	ok
}

# json_check DESC PYTHON-EXPR: EXPR on j (the JSON in $TMP/out) is true.
json_check() {
	local desc=$1 expr=$2
	if $PY -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
		"$TMP/out" 2>"$TMP/pyerr"; then
		ok
	else
		bad "$desc: $expr on $(cat "$TMP/out") $(cat "$TMP/pyerr")"
	fi
}

# sql_refused DESC MESSAGE SQL: the sqlite3 shell fails with MESSAGE and the
# database file is byte for byte as it was.
# Against PostgreSQL $DB is the snapshot, whose schema every change passes
# before it is pushed (PostgreSQL's tables hold the rows, not the checks).
sql_refused() {
	local desc=$1 msg=$2 sql=$3
	cp "$DB" "$TMP/before.db"
	if sqlite3 "$DB" "$sql" >"$TMP/out" 2>"$TMP/err"; then
		bad "$desc: accepted"
		return
	fi
	if ! grep -qF -- "$msg" "$TMP/err"; then
		bad "$desc: message '$(cat "$TMP/err")', expected '$msg'"
		return
	fi
	cmp -s "$DB" "$TMP/before.db" && ok || bad "$desc: database changed"
}

# cli_finish: the summary line; the exit status says whether all passed.
cli_finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
