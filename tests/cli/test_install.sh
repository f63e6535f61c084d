#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make install and make uninstall into a temporary DESTDIR, as a packager
# or an operator would run them: the binary, its man page and the systemd
# unit pointing at where the binary went; the licence beside the sources.
set -uo pipefail
cd "$(dirname "$0")/../.."

TMP=$(mktemp -d /tmp/tg-install-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
umask 022
. tests/e2e/result.sh

D=$TMP/root
check "make install DESTDIR PREFIX=/usr" make -s install DESTDIR="$D" PREFIX=/usr
for f in 755:usr/sbin/tungate 644:usr/share/man/man8/tungate.8 \
	755:usr/share/tungate/tungate-wg-enrol.sh \
	644:usr/lib/systemd/system/tungate.service; do
	mode=$(stat -c %a "$D/${f#*:}" 2>/dev/null)
	check "/${f#*:} installed, mode ${f%%:*} (got ${mode:-none})" \
		test "$mode" = "${f%%:*}"
done
unit=$D/usr/lib/systemd/system/tungate.service
check "the unit starts /usr/sbin/tungate" \
	grep -q '^ExecStart=/usr/sbin/tungate run$' "$unit"
check "the unit attaches with /usr/sbin/tungate" \
	grep -q '^ExecStartPre=/usr/sbin/tungate up ' "$unit"
check "the unit names no other binary" \
	sh -c "! grep -n '^Exec.*/usr/local/' '$unit'"
check "the installed binary runs" "$D/usr/sbin/tungate" --version
MANWIDTH=80 man --warnings -E UTF-8 -l "$D/usr/share/man/man8/tungate.8" \
	>"$TMP/man.txt" 2>"$TMP/man.err"
check "the man page renders without warnings ($(head -c 200 "$TMP/man.err"))" \
	test ! -s "$TMP/man.err" -a -s "$TMP/man.txt"
check "the man page names every object" sh -c "
	for o in db sub class community config import export sync up down \
		status run stats top usage replay bird pop wg; do
		grep -qw \"\$o\" '$TMP/man.txt' || { echo \"no \$o\"; exit 1; }
	done"
check "make uninstall" make -s uninstall DESTDIR="$D" PREFIX=/usr
check "nothing left but directories ($(find "$D" ! -type d | head -3))" \
	test -z "$(find "$D" ! -type d)"
check "LICENSE: the GNU GPL version 2" \
	sh -c "head -n 3 LICENSE | grep -q 'GNU GENERAL PUBLIC LICENSE' &&
		head -n 3 LICENSE | grep -q 'Version 2, June 1991'"
finish
