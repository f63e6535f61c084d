#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The data plane on the kernels operators run: Debian 12's own 6.1 and
# 6.12 from bookworm-backports, each booted in qemu (TCG) from Debian's
# package with tungate in an initramfs (tests/kernels/guest.sh runs there).
#
#   tests/kernels/run.sh [SERIES...]      (default: 6.1 6.12)
#
# TG_KERNELS_ONLY=STAGE (outside CI only) runs that stage of guest.sh
# alone with the namespaces it needs (STAGE,STAGE,...: those, in the
# suite's order), for quick work on them: modes, wireguard, wg_enrol,
# wg_police.
#
# Prints every check of every kernel, the instructions the verifier
# processed for each program in each mode, and "N passed, M failed".
# Needs root (the pcap cases are prepared with replay). Outside CI a
# missing tool is a SKIP; under CI=true it is a failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
TUNGATE=${TUNGATE:-$top/build/tungate}
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12)

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $* (a skip is a failure under CI=true)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "SKIP: kernels: $*"
	echo "0 passed, 0 failed"
	exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root"
for tool in qemu-system-x86_64 cpio depmod modprobe dpkg-deb apt-get xz; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
[ -x /bin/busybox ] && [ -x /bin/dash ] || skip "busybox-static and dash are needed"
for f in "$TUNGATE" "$top/build/pass.bpf.o"; do
	if [ ! -e "$f" ]; then
		echo "FAIL: $f not built (run make)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

. "$here/boot.sh"
tmp=$(mktemp -d /tmp/tungate-kernels.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

payload=$tmp/payload
mkdir -p "$payload/bin"
cp "$TUNGATE" "$payload/bin/tungate"
cp "$top/build/pass.bpf.o" "$here/guest.sh" "$here/wg_enrol.sh" "$here/wg_police.sh" "$here/replay_case.sh" \
	"$top/tests/e2e/result.sh" "$payload/"
# The WireGuard member's side in the guest is configured with Debian's
# own 'wg' (tungate's side never runs it).
if wgroot=$(bash "$here/debs.sh" wireguard wireguard-tools); then
	cp "$wgroot/usr/bin/wg" "$payload/bin/wg"
else
	echo "wireguard-tools could not be fetched: the guest's WireGuard checks fail"
fi
# The broker's HTTPS (stage wg_enrol): a throw-away CA and its
# certificate for 203.0.113.1, made here, and GNU wget, which checks it
# (busybox's wget checks none).
if mkdir -p "$payload/tls" && bash "$here/wg_tls.sh" "$payload/tls" &&
	cp "$(command -v wget)" "$payload/bin/gnu-wget"; then
	:
else
	echo "the broker's certificate or GNU wget missing: the guest's HTTPS checks fail"
fi
only=${TG_KERNELS_ONLY:-}
if [ -n "$only" ] && [ "${CI:-}" = true ]; then
	echo "FAIL: TG_KERNELS_ONLY=$only: CI runs every stage"
	echo "0 passed, 1 failed"
	exit 1
fi
start=$SECONDS
if [ -n "$only" ]; then
	mkdir -p "$payload/cases"
	echo "only the $only stage (TG_KERNELS_ONLY): no pcap cases"
elif ! TUNGATE=$TUNGATE bash "$here/cases.sh" "$payload"; then
	echo "FAIL: the pcap cases could not be prepared on this host"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "$(ls "$payload/cases" | wc -l) pcap cases replayed on $(uname -r) in $((SECONDS - start)) s"

passed=0
failed=0
insns=()
for s in "${series[@]}"; do
	start=$SECONDS
	if ! read -r root release < <(bash "$here/fetch.sh" "$s"); then
		echo "FAIL $s: no kernel package"
		failed=$((failed + 1))
		continue
	fi
	img=$tmp/initramfs-$s.cpio.gz
	if ! bash "$here/initramfs.sh" "$root" "$release" "$payload" "$img"; then
		echo "FAIL $s: cannot build the initramfs"
		failed=$((failed + 1))
		continue
	fi
	log=$tmp/console-$s.log
	boot_guest "$log" 1500 "$root/boot/vmlinuz-$release" "$img" \
		"${only:+tg.only=$only}" \
		-nic none | sed "s/^/[$s] /"
	rc=${PIPESTATUS[0]}
	# The guest's own lines, from its first report on.
	sed -n '/^TG: kernel /,$p' "$log.txt" | grep -v '^TG: insns ' |
		sed "s/^/[$s] /"
	while read -r _ _ mode prog n; do
		insns+=("$release $mode $prog $n")
	done < <(grep '^TG: insns ' "$log.txt")
	ok=$(grep -c '^ok   - ' "$log.txt")
	bad=$(grep -c '^FAIL - ' "$log.txt")
	if [ $rc -ne 0 ] || ! grep -q '^TG: exit 0$' "$log.txt" || [ "$ok" = 0 ]; then
		echo "FAIL $s ($release): qemu exit $rc; console tail:"
		tail -n 30 "$log.txt" | sed 's/^/    /'
		[ "$bad" != 0 ] || bad=1
	fi
	echo "kernel $release: $ok passed, $bad failed in $((SECONDS - start)) s"
	passed=$((passed + ok))
	failed=$((failed + bad))
done

echo
echo "verifier: instructions processed per program (1,000,000 allowed)"
printf '  %-24s %-8s %-14s %s\n' kernel mode program insns
for l in "${insns[@]}"; do
	printf '  %-24s %-8s %-14s %s\n' $l
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
