#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Ops figures at scale: with N subscribers (default 100,000) time the import
# of an N-row CSV, a full sync into empty maps, a re-sync after one change
# and 'sub list -j', each beside the same operation on an empty database
# measured in the same run (and its ratio), against the targets. Uses a
# private database and pin root, removed on exit. Needs root and bpffs.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
N=${OPS_BENCH_SUBS:-100000}

if [ "$(id -u)" != 0 ] || ! mountpoint -q /sys/fs/bpf; then
	echo "SKIP: ops bench needs root and bpffs at /sys/fs/bpf"
	[ "${CI:-}" = true ] && exit 1
	exit 0
fi

TMP=$(mktemp -d /tmp/tg-ops-bench.XXXXXX)
PIN=/sys/fs/bpf/tg-ops-bench-$$
cleanup() {
	rm -rf "$TMP"
	[ -d "$PIN" ] && rm -rf "$PIN"
}
trap cleanup EXIT

DB=$TMP/bench.db
EMPTY=$TMP/empty.db
HDR=name,type,remote,local,key,tunnel_id,session,mtu,prefixes

# N subscribers of four tunnel types, one IPv4 /29 each (100.64.0.0/11),
# every second one an IPv6 /64 too; endpoints from the test ranges.
gen_csv() {
	awk -v n="$N" -v hdr="$HDR" 'BEGIN {
		print hdr
		for (i = 1; i <= n; i++) {
			a = i * 8
			p = sprintf("100.%d.%d.%d/29", 64 + int(a / 65536), int(a / 256) % 256, a % 256)
			if (i % 2 == 0)
				p = p sprintf(" 2001:db8:%x:%x::/64", int(i / 65536), i % 65536)
			t = i % 4
			if (t == 0)
				printf "s%06d,gre,192.0.2.10,198.51.100.1,%d,,,1400,%s\n", i, i, p
			else if (t == 1)
				printf "s%06d,l2tpv3-udp,192.0.2.11,198.51.100.1,,,%d,1400,%s\n", i, i, p
			else if (t == 2)
				printf "s%06d,l2tpv2,192.0.2.12,198.51.100.1,,%d,%d,1400,%s\n", i, int(i / 65535) + 1, i % 65535 + 1, p
			else
				printf "s%06d,ipip,100.%d.%d.%d,198.51.100.1,,,,1400,%s\n", i, 96 + int(i / 65536), int(i / 256) % 256, i % 256, p
		}
	}' >"$TMP/subs.csv"
	echo "$HDR" >"$TMP/header.csv"
}

# t VAR CMD...: run CMD (stdout to $TMP/last.out), its wall time in ns into VAR.
t() {
	local var=$1 start end
	shift
	start=$(date +%s%N)
	if ! "$@" >"$TMP/last.out" 2>"$TMP/err"; then
		echo "FAIL: $*: $(head -5 "$TMP/err")"
		exit 1
	fi
	end=$(date +%s%N)
	printf -v "$var" '%s' "$((end - start))"
}

tg() { "$TG" --db "$DB" --pin-root "$PIN" "$@"; }
te() { "$TG" --db "$EMPTY" --pin-root "$PIN" "$@"; }

gen_csv
"$TG" --db "$DB" db init >/dev/null || exit 1
"$TG" --db "$EMPTY" db init >/dev/null || exit 1
# Create the (empty) maps first: every sync below finds them.
te sync >/dev/null || exit 1

t e_import te import "$TMP/header.csv"
t e_list te -j sub list
t e_sync te sync
t e_resync te -j sync
t f_import tg import "$TMP/subs.csv"
t f_list tg -j sub list
t f_sync tg sync
# The sync was complete: a second one finds nothing to do.
tg -j sync >"$TMP/again.json" || exit 1
grep -q "\"unchanged\":$N," "$TMP/again.json" || {
	echo "FAIL: second sync: $(head -c 200 "$TMP/again.json")"
	exit 1
}
tg sub set s000050 --mtu 1300 >/dev/null || exit 1
t f_resync tg -j sync
grep -q '"changed":1,"removed":0,"unchanged":'$((N - 1))',.*"changed":\["s000050"\]' "$TMP/last.out" || {
	echo "FAIL: re-sync: $(head -c 300 "$TMP/last.out")"
	exit 1
}

miss=0
row() {
	local what=$1 full=$2 empty=$3 target_ms=$4 verdict
	if [ $((full / 1000000)) -le "$target_ms" ]; then
		verdict=PASS
	else
		verdict=MISS
		miss=$((miss + 1))
	fi
	awk -v w="$what" -v f="$full" -v e="$empty" -v tg="$target_ms" -v v="$verdict" 'BEGIN {
		printf "  %-32s %9.3f s   empty %7.3f s   x%-8.1f target <= %6.3f s  %s\n",
		       w, f / 1e9, e / 1e9, (e > 0 ? f / e : 0), tg / 1000, v
	}'
}

echo "ops bench: $N subscribers ($(grep -c ' 2001:' "$TMP/subs.csv") with an IPv6 prefix too)"
row "import $N-row CSV" "$f_import" "$e_import" 5000
row "full sync into empty maps" "$f_sync" "$e_sync" 2000
row "re-sync after one change" "$f_resync" "$e_resync" 50
row "sub list -j" "$f_list" "$e_list" 1000
echo "ops bench: $((4 - miss)) of 4 targets met"
exit 0
