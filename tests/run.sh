#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every test suite in turn; exits non-zero when any of them failed.
# Suites that need root say SKIP outside CI and fail under CI=true.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi

failed=()
run() {
	local name=$1 start=$SECONDS
	shift
	printf '\n=== %s ===\n' "$name"
	if ! "$@"; then
		failed+=("$name")
	fi
	printf -- '--- %s: %d s\n' "$name" $((SECONDS - start))
}

# The background chain: the kernels suite, whose emulated machines keep
# a CPU busy for minutes, then the pcap suites. It runs beside the
# foreground suites, none of which measures time (static checks, unit,
# CLI, sanitizers); both are waited for before the namespace suites, whose
# policing and timers want the CPUs to themselves.
bg_log=$(mktemp /tmp/tungate-bg-log.XXXXXX)
bg_failed=$(mktemp /tmp/tungate-bg-failed.XXXXXX)
bg_pid=
trap '[ -z "$bg_pid" ] || kill -- -"$bg_pid" 2>/dev/null; rm -f "$bg_log" "$bg_failed"' EXIT
# Stopped by a signal: the EXIT trap above still stops the background chain.
trap 'exit 143' TERM
trap 'exit 130' INT
bg_suites() {
	failed=()
	run kernels bash tests/kernels/run.sh
	run pcap bash tests/pcap/run.sh
	run pcap-roundtrip bash tests/pcap/roundtrip.sh
	run pcap-tshark bash tests/pcap/encap_tshark.sh
	run shared-pcaps bash tests/pcap/shared.sh
	run fuzz bash tests/pcap/fuzz.sh
	[ ${#failed[@]} -eq 0 ] || printf '%s\n' "${failed[@]}" >"$bg_failed"
	[ ${#failed[@]} -eq 0 ]
}
bg_start() {
	set -m
	bg_suites >"$bg_log" 2>&1 </dev/null &
	bg_pid=$!
	set +m
}
# bg_wait: the chain's output, its failed suites among ours.
bg_wait() {
	local rc=0 name
	wait "$bg_pid" || rc=$?
	bg_pid=
	cat "$bg_log"
	while read -r name; do
		failed+=("$name")
	done <"$bg_failed"
	[ $rc -eq 0 ] || [ -s "$bg_failed" ] || failed+=("background (exit $rc)")
}

bg_start
run static make --no-print-directory check
run unit build/unit-tests
run cli bash tests/cli/test_cli.sh
run cli-postgres bash tests/cli/test_cli_pg.sh
run cli-schema bash tests/cli/test_schema.sh
run cli-members bash tests/cli/test_members.sh
run cli-wg bash tests/cli/test_wg.sh
run cli-bird bash tests/cli/test_bird.sh
run cli-stats bash tests/cli/test_stats.sh
run cli-install bash tests/cli/test_install.sh
run cli-freeradius bash tests/cli/test_freeradius.sh
run cli-wg-config bash tests/cli/test_wg_config.sh
run sanitizers bash tests/sanitize.sh
bg_wait
run e2e-decap bash tests/e2e/decap_veth.sh
run e2e-lifecycle bash tests/e2e/lifecycle.sh
run e2e-upgrade bash tests/e2e/upgrade.sh
run e2e-endpoint bash tests/e2e/return_endpoint_pair.sh
run e2e-return bash tests/e2e/return_path.sh
run e2e-police-tcp bash tests/e2e/police_tcp.sh
run e2e-police-scope bash tests/e2e/police_scope.sh
run e2e-steer bash tests/e2e/steer.sh
run e2e-bgp bash tests/e2e/bgp.sh
run e2e-usage bash tests/e2e/usage.sh
run e2e-prometheus bash tests/e2e/prometheus.sh
run e2e-metrics-idle bash tests/e2e/metrics_idle.sh
run e2e-daemon bash tests/e2e/daemon.sh
run e2e-postgres bash tests/e2e/postgres.sh
run e2e-postgres-outage bash tests/e2e/postgres_outage.sh
run e2e-postgres-standby bash tests/e2e/postgres_standby.sh
run e2e-pops bash tests/e2e/pops.sh
run e2e-keepalive bash tests/e2e/keepalive.sh
run e2e-service bash tests/e2e/service.sh
run e2e-lns bash tests/e2e/lns.sh
run e2e-radius bash tests/e2e/radius.sh
run e2e-radius-session bash tests/e2e/radius_session.sh
run e2e-eoip-keepalive bash tests/e2e/eoip_keepalive.sh
run radius-acct bash tests/e2e/radius_acct.sh
run lac-l2tpns bash tests/lac/test_l2tpns.sh
run lns-vm bash tests/lns/test_vm_tungate.sh

echo
if [ ${#failed[@]} -ne 0 ]; then
	echo "FAILED suites: ${failed[*]}"
	exit 1
fi
echo "all suites passed"
