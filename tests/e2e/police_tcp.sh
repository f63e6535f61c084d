#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# TCP through a policed tunnel: one GRE subscriber behind a userspace
# tunnel endpoint (topology in police_lib.sh), iperf3 between it and core,
# upstream (sub -> core) and downstream (iperf3 -R), for each class rate in
# POL_RATES (Mbit/s, default "10 50"), with the class's default burst.
# Goodput must reach 85% of the rate, and what arrived must not exceed
# rate x time + burst. Then the policed_up/policed_down counters must
# show that the bucket did the limiting.
#
# POL_RATES="0" measures the unpoliced ceiling of the endpoint instead.
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
TAG=tg-pol-tcp
# shellcheck source=tests/e2e/police_lib.sh
. "$(dirname "$0")/police_lib.sh"

RATES=${POL_RATES:-10 50}
SECS=${POL_SECS:-8}
PORT=5201

trap cleanup EXIT
trap "exit 1" INT TERM
require iperf3

setup 1 || die "namespace setup"
tg db init >/dev/null || die "db init"
step "sub add alice" add_sub 1 alice
step "sync" tg sync
step "up" tg up --subscriber-if tg-pol-csub --uplink-if tg-pol-cup
step "endpoint starts" start_endpoint 1
in_core iperf3 -s -p $PORT -B $CORE4 >"$TMP/iperf3-server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	grep -q "listening" "$TMP/iperf3-server.log" && break
	sleep 0.1
done

# run_iperf RATE DIR: DIR up (sub sends) or down (-R); prints
# "bits_per_second bytes seconds" of what the receiver got.
run_iperf() {
	local rev=
	[ "$2" = down ] && rev=-R
	in_sub iperf3 -c $CORE4 -p $PORT -B 100.64.1.2 -t "$SECS" -O 1 $rev -J \
		>"$TMP/iperf3.json" 2>&1 || return 1
	$PY -c 'import json, sys
d = json.load(open(sys.argv[1]))["end"]["sum_received"]
print(int(d["bits_per_second"]), d["bytes"], d["seconds"])' "$TMP/iperf3.json"
}

for rate in $RATES; do
	if [ "$rate" = 0 ]; then
		step "class unlimited" tg sub set alice --down-rate unlimited \
			--up-rate unlimited
	else
		tg class del r$rate >/dev/null 2>&1
		step "class add r$rate: ${rate}mbit both ways, default burst" \
			tg class add r$rate --down-rate ${rate}mbit --up-rate ${rate}mbit
		step "sub set alice --class r$rate" tg sub set alice --class r$rate
	fi
	step "sync" tg sync
	burst=$(tg -j class show r$rate 2>/dev/null |
		$PY -c 'import json,sys; print(json.load(sys.stdin)["burst"])' 2>/dev/null)
	for dir in up down; do
		before=$(gstat sub alice reasons policed_$dir)
		if ! r=$(run_iperf "$rate" $dir); then
			fail "${rate} Mbit/s $dir: iperf3 failed"
			sed 's/^/       /' "$TMP/iperf3.json" | head -20
			continue
		fi
		read -r bps bytes secs <<<"$r"
		after=$(gstat sub alice reasons policed_$dir)
		echo "       ${rate} Mbit/s $dir: goodput $((bps / 1000)) kbit/s, $bytes bytes in $secs s, policed_$dir +$((after - before))"
		[ "$rate" = 0 ] && continue
		want=$((rate * 1000000 * 85 / 100))
		check "${rate} Mbit/s $dir: goodput $((bps / 1000)) kbit/s >= 85% ($((want / 1000)) kbit/s)" \
			test "$bps" -ge "$want"
		max=$($PY -c 'import sys; r, s, b = map(float, sys.argv[1:]); print(int(r * 1e6 * s / 8 + b))' \
			"$rate" "$secs" "${burst:-0}")
		check "${rate} Mbit/s $dir: $bytes bytes received <= rate x $secs s + burst ($max)" \
			test "$bytes" -le "$max"
		check "${rate} Mbit/s $dir: the bucket dropped packets (policed_$dir +$((after - before)))" \
			test "$((after - before))" -gt 0
	done
done

step "down" tg down
finish
