#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The dial-in client against an LNS, once with CHAP and once with PAP
# (tests/lns/vm_client.sh, one VM each, one image for both):
#
#   tests/lns/suite.sh l2tpns|tungate
#
# Each run checks the IPv4 address from IPCP, a ping to core through the
# session, the IPv6 address from the RA, the prefix DHCPv6 delegates,
# pings to core from both and a clean hang-up (against tungate also its
# session list and the data plane's counters); then its capture of the
# access link shows the authentication on the wire and the client ending
# the call and the tunnel (CDN, StopCCN). Needs root; SKIP outside CI.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../e2e/result.sh"
lns=${1:?usage: suite.sh l2tpns|tungate}
SUITE=lns-vm-$lns

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, tap)"
for tool in tshark cpio dpkg-deb; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
TMP=$(mktemp -d /tmp/tg-vmsuite.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

read -r kroot release < <(bash "$here/../kernels/fetch.sh" 6.1) ||
	die "no 6.1 kernel package"
client=$(bash "$here/fetch.sh") || die "no client packages"
step "initramfs" bash "$here/initramfs.sh" "$kroot" "$release" "$client" \
	"$TMP/initramfs.cpio.gz"

# count CAPTURE FILTER: the frames tshark's display FILTER matches.
count() {
	tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

for auth in chap pap; do
	cap=$TMP/$auth.pcap
	bash "$here/vm_client.sh" --lns "$lns" --auth "$auth" \
		--initrd "$TMP/initramfs.cpio.gz" --capture "$cap" \
		>"$TMP/$auth.out" 2>&1
	# Its lines but its count: the suite counts once, at the end.
	sed '$d' "$TMP/$auth.out"
	line=$(tail -n 1 "$TMP/$auth.out")
	case $line in
	SKIP:*) exit 0 ;;
	"0 passed, 0 failed" | "") fail "$auth: the run checked nothing" ;;
	esac
	read -r p _ f _ <<<"$line"
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$auth" = chap ]; then
		what='chap.code == 2 && chap.name == "alice@exo.cat"'
	else
		what='pap.peer_id == "alice@exo.cat"'
	fi
	[ "$(count "$cap" "$what")" -ge 1 ] &&
		ok "$auth: capture: alice@exo.cat's $auth response" ||
		fail "$auth: capture: alice@exo.cat's $auth response"
	# Message types 14 (CDN) and 4 (StopCCN) from the client (192.0.2.2).
	from=ip.src==192.0.2.2
	[ "$(count "$cap" "$from && l2tp.avp.message_type == 14")" -ge 1 ] &&
	[ "$(count "$cap" "$from && l2tp.avp.message_type == 4")" -ge 1 ] &&
		ok "$auth: capture: the client sent CDN and StopCCN" ||
		fail "$auth: capture: the client sent CDN and StopCCN"
	[ "$lns" = tungate ] || continue
	# The DHCPv6 server names itself (RFC 8415): a DUID-UUID.
	[ "$(count "$cap" 'dhcpv6.msgtype == 7 && dhcpv6.duid.type == 4')" -ge 1 ] &&
		ok "$auth: capture: DHCPv6 Reply with the LNS's DUID-UUID" ||
		fail "$auth: capture: DHCPv6 Reply with the LNS's DUID-UUID"
	# lns-dns: its IPv6 server in the RAs (RFC 8106) and in DHCPv6.
	[ "$(count "$cap" 'icmpv6.opt.rdnss == 2001:db8:ff::53')" -ge 1 ] &&
	[ "$(count "$cap" 'dhcpv6.msgtype == 7 && dhcpv6.dns_server == 2001:db8:ff::53')" -ge 1 ] &&
		ok "$auth: capture: DNS server 2001:db8:ff::53 in RAs and DHCPv6" ||
		fail "$auth: capture: DNS server 2001:db8:ff::53 in RAs and DHCPv6"
	[ "$(count "$cap" '_ws.malformed || _ws.expert.severity == error')" = 0 ] &&
		ok "$auth: capture: no frame malformed" || {
		fail "$auth: capture: no frame malformed"
		tshark -r "$cap" -Y '_ws.malformed || _ws.expert.severity == error' |
			sed 's/^/       /'
	}
done
finish
