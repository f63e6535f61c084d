# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# The enrolment broker of WireGuard members, sourced by guest.sh (stage
# wg_enrol). The daemon in conc serves the broker (wg-broker
# 0.0.0.0:8080) and its metrics; two member routers (namespaces wge1,
# wge2 on veths of their own, conc's 203.0.113.1 their endpoint and
# broker) are configured only by the client script the broker serves,
# on its plain Linux path (ip and wg), and ping core through the
# concentrator, IPv4 and IPv6. Tokens reused, expired, forged, and a key
# a member has already are refused with nothing stored, each counted and
# logged; too many requests from one address are refused; a member
# deleted loses its peer and its pings at once. Then the broker over
# HTTPS (wge_https).

WGE_ADDR=203.0.113.1
WGE_URL=http://$WGE_ADDR:8080

wge() {
	ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# wge_net NS N: namespace NS on a veth to conc, 203.0.113.(4N+1)/30 on
# conc's side, its default route to it.
wge_net() {
	a=$((4 * $2 + 1))
	ip netns add "$1" && ip -n "$1" link set lo up &&
		ip link add "${1}m" netns "$1" type veth peer name "${1}c" netns conc &&
		ip -n conc addr add "203.0.113.$a/30" dev "${1}c" &&
		ip -n "$1" addr add "203.0.113.$((a + 1))/30" dev "${1}m" &&
		ip -n conc link set "${1}c" up && ip -n "$1" link set "${1}m" up &&
		ip -n "$1" route add default via "203.0.113.$a"
}

# The token 'wg invite' printed in $TMP/wge_inv.$1.
wge_token() {
	sed -n 's/^token.*: //p' "$TMP/wge_inv.$1"
}

# wge_enrol NS TOKEN [DIR]: the one-line command on NS's router.
wge_enrol() {
	wge "$1" sh -c "wget -qO- $WGE_URL/wg/openwrt.sh |
		TUNGATE_DIR=${3:-/tmp/$1} sh -s -- $2" >"$TMP/wge_out.$1" 2>&1
}

# wge_script NS TOKEN [DIR]: the script the broker served, run again on
# NS's router without fetching it (one request, not two).
wge_script() {
	wge "$1" env TUNGATE_DIR="${3:-/tmp/$1}" sh "$TMP/wge.sh" "$2" \
		>"$TMP/wge_out.$1" 2>&1
}

# wge_logged PATTERN: PATTERN in the daemon's log within 5 s.
wge_logged() {
	i=0
	until grep -q "$1" "$TMP/wge_run.log" || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$1" "$TMP/wge_run.log"
}

# What the database holds of members, settings and invitations.
wge_rows() {
	tungate --db "$DB" export
	tungate --db "$DB" -j wg invites
}

# The daemon's count of requests of result $1.
wge_count() {
	conc wget -qO- http://127.0.0.1:9180/metrics 2>/dev/null |
		sed -n "s/^tungate_wg_enrol_total{result=\"$1\"} //p"
}

# wge_refused WHAT NS TOKEN RESULT [DIR]: the script fails, the daemon
# logs the refusal, the rows are as they were, the result counted once.
wge_refused() {
	wge_rows >"$TMP/wge_rows.before"
	n0=$(wge_count "$4")
	if wge_script "$2" "$3" "$5"; then
		fail "wg_enrol: $1: accepted: $(cat "$TMP/wge_out.$2")"
		return
	fi
	grep -q "enrolment refused by $WGE_URL: .*40[03]" "$TMP/wge_out.$2" &&
		ok "wg_enrol: $1: the script says it was refused" ||
		fail "wg_enrol: $1: script: $(cat "$TMP/wge_out.$2")"
	grep -q "wg broker: 203.0.113.[0-9]*: refused ($4): $4: " "$TMP/wge_run.log" &&
		ok "wg_enrol: $1: logged as $4" ||
		fail "wg_enrol: $1: log: $(tail -n 3 "$TMP/wge_run.log")"
	wge_rows >"$TMP/wge_rows.after"
	cmp -s "$TMP/wge_rows.before" "$TMP/wge_rows.after" &&
		ok "wg_enrol: $1: nothing stored" ||
		fail "wg_enrol: $1: rows changed: $(diff "$TMP/wge_rows.before" "$TMP/wge_rows.after")"
	[ "$(wge_count "$4")" = $((n0 + 1)) ] &&
		ok "wg_enrol: $1: counted as $4" ||
		fail "wg_enrol: $1: tungate_wg_enrol_total{result=\"$4\"} $n0 -> $(wge_count "$4")"
}

# The broker moved to HTTPS on SIGHUP (files of tests/kernels/wg_tls.sh
# in /tg/tls): a third router (wge3) fetches the script with GNU wget
# trusting the test CA and enrols with TUNGATE_CA; busybox wget is
# refused (it checks no certificate) unless TUNGATE_INSECURE=1, GNU wget
# without the CA refused; nothing is stored by a refusal. (/bin/sh:
# busybox's env would run its own sh, with its own wget and ip.)
wge_https() {
	tls=https://$WGE_ADDR:8080
	[ -s /tg/tls/ca.pem ] && [ -x /bin/gnu-wget ] ||
		{ fail "wg_enrol: https: no test certificate or GNU wget in the image"; return; }
	mkdir -p /tmp/gnu && ln -sf /bin/gnu-wget /tmp/gnu/wget
	wge_net wge3 18 || { fail "wg_enrol: https: namespace wge3"; return; }
	check "wg_enrol: https: wg-broker-cert, wg-broker-key" sh -c "
		tungate --db $DB config set wg-broker-cert /tg/tls/broker.pem &&
		tungate --db $DB config set wg-broker-key /tg/tls/broker.key" >/dev/null 2>&1
	check "wg_enrol: https: invite m5, m6" sh -c "
		tungate --db $DB wg invite m5 --class wge >$TMP/wge_inv.m5 &&
		tungate --db $DB wg invite m6 --class wge >$TMP/wge_inv.m6"
	grep -qF "wget -qO- $tls/wg/openwrt.sh | sh -s -- $(wge_token m5)" "$TMP/wge_inv.m5" &&
		ok "wg_enrol: https: the invitation's command is https" ||
		fail "wg_enrol: https: invite: $(cat "$TMP/wge_inv.m5")"
	kill -HUP "$tgd_pid"
	wge_logged 'wg broker: https on 0.0.0.0:8080 from now on' &&
		ok "wg_enrol: https: the broker moved to https on SIGHUP" ||
		fail "wg_enrol: https: $(tail -n 3 "$TMP/wge_run.log")"
	wge wge3 wget -q -T 5 -O /dev/null "$WGE_URL/wg/openwrt.sh" 2>/dev/null &&
		fail "wg_enrol: https: plain http still answered" ||
		ok "wg_enrol: https: plain http gets nothing"
	if wge wge3 sh -c "PATH=/tmp/gnu:\$PATH
		wget --ca-certificate=/tg/tls/ca.pem -qO- $tls/wg/openwrt.sh |
		TUNGATE_CA=/tg/tls/ca.pem TUNGATE_DIR=/tmp/wge3 sh -s -- $(wge_token m5)" \
		>"$TMP/wge_out.wge3" 2>&1; then
		ok "wg_enrol: https: the script enrolled m5 (GNU wget, TUNGATE_CA)"
	else
		fail "wg_enrol: https: m5: $(cat "$TMP/wge_out.wge3")"
	fi
	wg_peers_wait 2 &&
		ok "wg_enrol: https: m5's peer within $waited ms" ||
		fail "wg_enrol: https: peers: $(conc wg show tgwg51820 2>&1)"
	a=$(sed -n 's|^Address = \([0-9.]*\)/.*|\1|p' /tmp/wge3/tungate.conf)
	check "wg_enrol: https: m5 pings core" wge wge3 ping -c 3 -W 3 -I "$a" 198.51.100.2
	wge wge3 /tmp/gnu/wget -q --ca-certificate=/tg/tls/ca.pem -O "$TMP/wge_tls.sh" \
		"$tls/wg/openwrt.sh"
	grep -qF 'BROKER=${2:-https://203.0.113.1:8080}' "$TMP/wge_tls.sh" &&
		ok "wg_enrol: https: the script served names https" ||
		fail "wg_enrol: https: script: $(grep -n BROKER= "$TMP/wge_tls.sh")"
	wge_rows >"$TMP/wge_rows.before"
	wge wge3 env TUNGATE_DIR=/tmp/wge3b /bin/sh "$TMP/wge_tls.sh" "$(wge_token m6)" \
		>"$TMP/wge_out.wge3" 2>&1 &&
		fail "wg_enrol: https: busybox wget used unchecked" ||
		{ grep -q "busybox wget cannot check the certificate of $tls" "$TMP/wge_out.wge3" &&
		  ok "wg_enrol: https: busybox wget refused (it checks no certificate)" ||
		  fail "wg_enrol: https: busybox wget: $(cat "$TMP/wge_out.wge3")"; }
	wge wge3 env PATH="/tmp/gnu:$PATH" TUNGATE_DIR=/tmp/wge3b /bin/sh "$TMP/wge_tls.sh" \
		"$(wge_token m6)" >"$TMP/wge_out.wge3" 2>&1 &&
		fail "wg_enrol: https: GNU wget without the CA enrolled" ||
		{ grep -q "certificate is not trusted here" "$TMP/wge_out.wge3" &&
		  ok "wg_enrol: https: GNU wget without the CA refuses the certificate" ||
		  fail "wg_enrol: https: GNU wget without the CA: $(cat "$TMP/wge_out.wge3")"; }
	wge_rows >"$TMP/wge_rows.after"
	cmp -s "$TMP/wge_rows.before" "$TMP/wge_rows.after" &&
		ok "wg_enrol: https: nothing stored by the refusals" ||
		fail "wg_enrol: https: rows changed: $(diff "$TMP/wge_rows.before" "$TMP/wge_rows.after")"
	if wge wge3 env TUNGATE_INSECURE=1 TUNGATE_DIR=/tmp/wge3b /bin/sh "$TMP/wge_tls.sh" \
		"$(wge_token m6)" >"$TMP/wge_out.wge3" 2>&1; then
		ok "wg_enrol: https: busybox wget with TUNGATE_INSECURE=1 enrolled m6"
	else
		fail "wg_enrol: https: m6: $(cat "$TMP/wge_out.wge3")"
	fi
	tungate --db "$DB" sub del m5 >/dev/null
	tungate --db "$DB" sub del m6 >/dev/null 2>&1
	tungate --db "$DB" config set wg-broker-key none >/dev/null
	tungate --db "$DB" config set wg-broker-cert none >/dev/null
	ip netns del wge3
}

# Peers of conc's tgwg51820.
wg_enrol_stage() {
	wge_net wge1 16 && wge_net wge2 17 &&
		ip -n conc addr add "$WGE_ADDR/32" dev lo &&
		ip -n core route add 2001:db8:16::/48 via 2001:db8:ff::1 &&
		ip -n core route add 2001:db8:17::/48 via 2001:db8:ff::1 ||
		{ fail "wg_enrol: member namespaces"; return; }
	check "wg_enrol: up" tg up --subscriber-if c0 --uplink-if u0 --mode generic
	check "wg_enrol: settings" sh -c "
		tungate --db $DB class add wge --down-rate 100mbit --up-rate 100mbit &&
		tungate --db $DB config set wg-endpoint $WGE_ADDR &&
		tungate --db $DB config set wg-pool4 100.64.16.0/24 &&
		tungate --db $DB config set wg-pool6 2001:db8:16::/48 &&
		tungate --db $DB config set wg-allowed-ips 198.51.100.0/24,2001:db8:ff::/64 &&
		tungate --db $DB config set wg-broker 0.0.0.0:8080" >/dev/null
	check "wg_enrol: invite from the pools" sh -c \
		"tungate --db $DB wg invite m1 --class wge >$TMP/wge_inv.m1"
	grep -q "prefixes 100.64.16.0/32 2001:db8:16::/64" "$TMP/wge_inv.m1" &&
		grep -qF "wget -qO- $WGE_URL/wg/openwrt.sh | sh -s -- $(wge_token m1)" \
			"$TMP/wge_inv.m1" &&
		ok "wg_enrol: the invitation's prefixes and command" ||
		fail "wg_enrol: invite: $(cat "$TMP/wge_inv.m1")"
	check "wg_enrol: invite with prefixes" sh -c \
		"tungate --db $DB wg invite m2 --class wge --prefix 100.64.17.0/24 \
			--prefix 2001:db8:17::/48 >$TMP/wge_inv.m2"
	check "wg_enrol: invite m3, expiring in 1 s" sh -c \
		"tungate --db $DB wg invite m3 --class wge --expires 1s >$TMP/wge_inv.m3"
	check "wg_enrol: invite m4" sh -c \
		"tungate --db $DB wg invite m4 --class wge >$TMP/wge_inv.m4"
	tgd_start --interval 100 --metrics 127.0.0.1:9180 >"$TMP/wge_run.log" 2>&1
	wge_logged 'wg broker: listening on 0.0.0.0:8080'

	# Two routers enrol themselves; tungate gives them their peers.
	for m in 1 2; do
		if wge_enrol wge$m "$(wge_token m$m)"; then
			ok "wg_enrol: m$m: the script enrolled it"
		else
			fail "wg_enrol: m$m: script: $(cat "$TMP/wge_out.wge$m")"
		fi
	done
	wg_peers_wait 2 &&
		ok "wg_enrol: the daemon made both peers within $waited ms" ||
		fail "wg_enrol: peers: $(conc wg show tgwg51820 2>&1; tail -n 5 "$TMP/wge_run.log")"
	grep -q '^Address = 100.64.16.0/32, 2001:db8:16::1/64$' /tmp/wge1/tungate.conf &&
		grep -q '^Endpoint = 203.0.113.1:51820$' /tmp/wge1/tungate.conf &&
		! grep -q '^PrivateKey' /tmp/wge1/tungate.conf &&
		ok "wg_enrol: the broker's file: addresses, endpoint, no private key" ||
		fail "wg_enrol: file: $(cat /tmp/wge1/tungate.conf)"
	[ "$(wge wge1 wg show tungate private-key)" = "$(cat /tmp/wge1/tungate.key)" ] &&
		ok "wg_enrol: the router keeps the key it made" ||
		fail "wg_enrol: the router's key"
	conc ping -c 1 -W 2 198.51.100.2 >/dev/null 2>&1
	check "wg_enrol: m1 pings core" wge wge1 ping -c 3 -W 3 -I 100.64.16.0 198.51.100.2
	check "wg_enrol: m2 pings core" wge wge2 ping -c 3 -W 3 -I 100.64.17.1 198.51.100.2
	check "wg_enrol: m1 pings core over IPv6" \
		wge wge1 ping6 -c 3 -W 3 -I 2001:db8:16::1 2001:db8:ff::2
	tungate --db "$DB" wg invites >"$TMP/wge_invites"
	grep -q '^m1 .* used .* by ' "$TMP/wge_invites" &&
		grep -q '^m3 .* expired$' "$TMP/wge_invites" &&
		grep -q '^m4 .* pending$' "$TMP/wge_invites" &&
		ok "wg_enrol: wg invites: used, expired, pending" ||
		fail "wg_enrol: wg invites: $(cat "$TMP/wge_invites")"
	grep -qF -- "$(wge_token m1)" "$TMP/wge_invites" &&
		fail "wg_enrol: wg invites shows a token" ||
		ok "wg_enrol: wg invites shows no token"

	# Refusals, each with nothing stored: the script as served, run
	# again (two requests more from each router).
	conc wget -qO "$TMP/wge.sh" "$WGE_URL/wg/openwrt.sh"
	grep -qF 'BROKER=${2:-http://203.0.113.1:8080}' "$TMP/wge.sh" &&
		ok "wg_enrol: the script served names the broker it came from" ||
		fail "wg_enrol: script: $(grep -n BROKER= "$TMP/wge.sh")"
	wge_refused "token used again" wge1 "$(wge_token m1)" used
	wge_refused "token expired" wge2 "$(wge_token m3)" expired
	wge_refused "token forged" wge2 AAAAAAAAAAAAAAAAAAAAAAAA unknown
	wge_refused "a member's key" wge1 "$(wge_token m4)" key_in_use /tmp/wge1
	[ "$(wge_count ok)" = 2 ] && ok "wg_enrol: two enrolments counted" ||
		fail "wg_enrol: ok counted $(wge_count ok)"
	# Five requests a minute from one address (wge1 made four).
	: >"$TMP/wge_rate"
	i=0
	while [ $i -lt 8 ] && [ "$(wge_count rate_limited)" = 0 ]; do
		wge wge1 wget -q -O /dev/null --post-data "token=x&key=y" \
			"$WGE_URL/wg/enrol" 2>>"$TMP/wge_rate"
		i=$((i + 1))
	done
	[ "$(wge_count rate_limited)" -ge 1 ] && grep -q 429 "$TMP/wge_rate" &&
		ok "wg_enrol: too many requests from one address: 429 after $i" ||
		fail "wg_enrol: rate limit: $(cat "$TMP/wge_rate")"

	# Revocation: the peer goes with the member, at once.
	check "wg_enrol: sub del m1" tungate --db "$DB" sub del m1
	wg_peers_wait 1 &&
		ok "wg_enrol: the deleted member's peer went within $waited ms" ||
		fail "wg_enrol: peers after sub del: $(conc wg show tgwg51820 2>&1)"
	wge wge1 ping -c 2 -W 1 -I 100.64.16.0 198.51.100.2 >/dev/null 2>&1 &&
		fail "wg_enrol: the deleted member still pings" ||
		ok "wg_enrol: the deleted member's pings stop"
	check "wg_enrol: m2 still pings" wge wge2 ping -c 2 -W 3 -I 100.64.17.1 198.51.100.2

	wge_https
	tgd_stop
	tungate --db "$DB" sub del m2 >/dev/null
	tungate --db "$DB" config set wg-broker off >/dev/null
	tg sync >/dev/null 2>&1
	check "wg_enrol: down" tg down
	ip -n core route del 2001:db8:16::/48 2>/dev/null
	ip -n core route del 2001:db8:17::/48 2>/dev/null
	ip -n conc addr del "$WGE_ADDR/32" dev lo 2>/dev/null
	ip netns del wge1
	ip netns del wge2
}
