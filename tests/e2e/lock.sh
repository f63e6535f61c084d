# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Machine-wide exclusive locks, held until the shell exits:
#  - e2e_lock: one namespace run at a time on this machine
#    (/tmp/tg-e2e.lock);
#  - bench_lock: one timing measurement at a time (/tmp/tg-bench.lock).
# A run started under `flock FILE ...` already holds the lock through a
# descriptor it inherited: the lock is taken on that one (it is ours
# already), as a lock taken on a new descriptor of the file would wait for
# ever.
E2E_LOCK=/tmp/tg-e2e.lock
BENCH_LOCK=/tmp/tg-bench.lock

# file_lock FILE
file_lock() {
	local fd
	for fd in "/proc/$$/fd"/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
		flock "${fd##*/}" && return 0
	done
	exec {fd}>"$1" && flock "$fd"
}

e2e_lock() {
	file_lock "$E2E_LOCK"
}

bench_lock() {
	file_lock "$BENCH_LOCK"
}
