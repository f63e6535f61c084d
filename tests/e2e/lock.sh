# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# e2e_lock: one namespace run at a time on this machine, by an exclusive
# lock on /tmp/tg-e2e.lock. A run started under
# `flock /tmp/tg-e2e.lock ...` already holds it through a descriptor it
# inherited: the lock is taken on that one (it is ours already), as a lock
# taken on a new descriptor of the file would wait for ever.
E2E_LOCK=/tmp/tg-e2e.lock

e2e_lock() {
	local fd
	for fd in "/proc/$$/fd"/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$E2E_LOCK" ] || continue
		flock "${fd##*/}" && return 0
	done
	exec 9>"$E2E_LOCK" && flock 9
}
