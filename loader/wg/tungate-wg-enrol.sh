#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Enrols this router as a WireGuard member of a tungate concentrator with
# the token of its invitation ('tungate wg invite'):
#
#   wget -qO- https://BROKER/wg/openwrt.sh | sh -s -- TOKEN
#   sh tungate-wg-enrol.sh TOKEN https://BROKER[:PORT]
#
# Makes the router's key with 'wg genkey' (it never leaves the router),
# sends the token and the public key to the broker, and configures the
# interface from the wg-quick file the broker answers with: on OpenWrt
# with uci (network.tungate, proto wireguard, its peer with
# route_allowed_ips), elsewhere with ip and wg. Plain sh (busybox ash,
# dash); uclient-fetch, or wget. TUNGATE_IFACE (default tungate) names
# the interface, TUNGATE_DIR (default /etc/tungate) where the key and the
# configuration are kept. Over https the broker's certificate is checked
# against the system's CAs, or only against TUNGATE_CA (a PEM file: the
# CA of a self-signed certificate); busybox wget checks none and is used
# over https only with TUNGATE_INSECURE=1.
set -u

TOKEN=${1:-}
# The broker this script was fetched from, as it was reached.
BROKER=${2:-@BROKER@}
IFACE=${TUNGATE_IFACE:-tungate}
DIR=${TUNGATE_DIR:-/etc/tungate}

say() { echo "tungate-wg-enrol: $*" >&2; }
die() { say "$*"; exit 1; }

[ -n "$TOKEN" ] || die "usage: sh -s -- TOKEN (the token of 'tungate wg invite')"
case $BROKER in
http://?* | https://?*) ;;
*) die "usage: sh tungate-wg-enrol.sh TOKEN https://BROKER[:PORT]" ;;
esac
CA=${TUNGATE_CA:-}
[ -z "$CA" ] || [ -r "$CA" ] || die "TUNGATE_CA: cannot read '$CA'"
case $TOKEN in
*[!A-Za-z0-9_-]*) die "'$TOKEN' is not a token" ;;
esac
command -v wg >/dev/null 2>&1 ||
	die "wg missing (OpenWrt: opkg install wireguard-tools; Debian: apt install wireguard-tools)"

umask 077
mkdir -p "$DIR" || die "cannot make $DIR"
KEY=$DIR/$IFACE.key
CONF=$DIR/$IFACE.conf
if [ ! -s "$KEY" ]; then
	wg genkey >"$KEY.new" && mv "$KEY.new" "$KEY" || die "cannot make a key in $KEY"
fi
PUB=$(wg pubkey <"$KEY") || die "$KEY: not a WireGuard key"

# A form value: what a form would change, percent-encoded.
enc() {
	printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/+/%2B/g' -e 's|/|%2F|g' \
		-e 's/=/%3D/g' -e 's/&/%26/g'
}
DATA="token=$(enc "$TOKEN")&key=$(enc "$PUB")"

# The answer in $CONF.new. Busybox wget and uclient-fetch keep no body
# of a refusal: its status says which kind, the broker's log the reason.
# Over https: the certificate checked, by uclient-fetch (with a
# libustream TLS library) or GNU wget, never silently skipped.
rm -f "$CONF.new" "$CONF.err"
if command -v uclient-fetch >/dev/null 2>&1; then
	uclient-fetch -q -O "$CONF.new" ${CA:+"--ca-certificate=$CA"} \
		--post-data="$DATA" "$BROKER/wg/enrol" 2>"$CONF.err"
else
	set --
	case $BROKER in
	https://*)
		if wget --help 2>&1 | grep -q BusyBox; then
			[ "${TUNGATE_INSECURE:-}" = 1 ] ||
				die "busybox wget cannot check the certificate of $BROKER: install uclient-fetch (OpenWrt) or GNU wget, or set TUNGATE_INSECURE=1 to send the token unchecked"
			[ -z "$CA" ] || die "busybox wget cannot check against TUNGATE_CA"
			set -- --no-check-certificate
		elif [ -n "$CA" ]; then
			set -- "--ca-certificate=$CA"
		fi ;;
	esac
	wget -q -O "$CONF.new" "$@" --post-data "$DATA" "$BROKER/wg/enrol" \
		2>"$CONF.err"
fi
rc=$?
if [ $rc != 0 ] || ! grep -q '^\[Peer\]' "$CONF.new" 2>/dev/null; then
	why=$(tr -d '\r' <"$CONF.err" | grep . | tail -n 1)
	# Quiet, uclient-fetch and GNU wget say a certificate they refuse
	# with exit status 5 alone.
	[ $rc = 5 ] && why="${why:+$why: }TLS certificate check failed"
	case $why in
	*403*) hint="the token is unknown, used or expired, or the key or the member refused; the log of the concentrator says which" ;;
	*400*) hint="not a WireGuard public key, or not a request of this script; the log of the concentrator says which" ;;
	*429*) hint="too many requests from this address: wait a minute" ;;
	*ertificate* | *SSL* | *TLS*) hint="the broker's certificate is not trusted here, the token was not sent; a self-signed one: TUNGATE_CA=its CA's PEM file" ;;
	*) hint="" ;;
	esac
	rm -f "$CONF.new" "$CONF.err"
	die "enrolment refused by $BROKER: ${why:-no answer}${hint:+ ($hint)}"
fi
rm -f "$CONF.err"
mv "$CONF.new" "$CONF"

# One setting of the wg-quick file ("Key = a, b" -> "a b").
conf() {
	sed -n "s/^$1 *= *//p" "$CONF" | head -n 1 | tr -d '\r' | sed 's/, */ /g'
}
NAME=$(sed -n 's/^# tungate WireGuard member //p' "$CONF")
ADDRS=$(conf Address)
MTU=$(conf MTU)
PEER=$(conf PublicKey)
EP=$(conf Endpoint)
ALLOWED=$(conf AllowedIPs)
KA=$(conf PersistentKeepalive)
[ -n "$ADDRS" ] && [ -n "$PEER" ] && [ -n "$EP" ] && [ -n "$ALLOWED" ] ||
	die "$CONF: not a configuration tungate makes"
EPPORT=${EP##*:}
EPHOST=${EP%:*}
EPHOST=${EPHOST#[}
EPHOST=${EPHOST%]}

if command -v uci >/dev/null 2>&1; then
	uci -q delete "network.$IFACE"
	uci -q delete "network.${IFACE}_peer"
	uci set "network.$IFACE=interface"
	uci set "network.$IFACE.proto=wireguard"
	uci set "network.$IFACE.private_key=$(cat "$KEY")"
	uci set "network.$IFACE.mtu=$MTU"
	for a in $ADDRS; do
		uci add_list "network.$IFACE.addresses=$a"
	done
	uci set "network.${IFACE}_peer=wireguard_$IFACE"
	uci set "network.${IFACE}_peer.description=tungate"
	uci set "network.${IFACE}_peer.public_key=$PEER"
	uci set "network.${IFACE}_peer.endpoint_host=$EPHOST"
	uci set "network.${IFACE}_peer.endpoint_port=$EPPORT"
	uci set "network.${IFACE}_peer.persistent_keepalive=${KA:-25}"
	uci set "network.${IFACE}_peer.route_allowed_ips=1"
	for a in $ALLOWED; do
		uci add_list "network.${IFACE}_peer.allowed_ips=$a"
	done
	uci commit network || die "uci commit network failed"
	ifup "$IFACE" 2>/dev/null || /etc/init.d/network reload ||
		die "cannot bring $IFACE up"
	say "enrolled as member ${NAME:-?}: interface $IFACE (uci network.$IFACE) up; add it to a firewall zone"
	exit 0
fi

# Plain Linux: the kernel's WireGuard with ip and wg.
ip link del "$IFACE" 2>/dev/null
ip link add "$IFACE" type wireguard || die "cannot make $IFACE (no WireGuard in the kernel?)"
wg set "$IFACE" private-key "$KEY" peer "$PEER" endpoint "$EP" \
	allowed-ips "$(echo "$ALLOWED" | tr ' ' ',')" persistent-keepalive "${KA:-25}" ||
	die "cannot set $IFACE's peer"
for a in $ADDRS; do
	case $a in
	*:*) ip -6 addr add "$a" dev "$IFACE" nodad ;;
	*) ip addr add "$a" dev "$IFACE" ;;
	esac || die "cannot give $IFACE the address $a"
done
ip link set "$IFACE" mtu "${MTU:-1420}" up || die "cannot bring $IFACE up"
for a in $ALLOWED; do
	case $a in
	0.0.0.0/0 | ::/0)
		# Everything through the tunnel but the tunnel itself.
		six=
		[ "$a" = ::/0 ] && six=-6
		via=$(ip $six route get "$EPHOST" 2>/dev/null | sed -n 's/.* via \([^ ]*\).*/\1/p')
		dev=$(ip $six route get "$EPHOST" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
		[ -n "$dev" ] && ip $six route replace "$EPHOST" ${via:+via "$via"} dev "$dev" 2>/dev/null
		if [ -n "$six" ]; then
			ip -6 route replace ::/1 dev "$IFACE" && ip -6 route replace 8000::/1 dev "$IFACE"
		else
			ip route replace 0.0.0.0/1 dev "$IFACE" && ip route replace 128.0.0.0/1 dev "$IFACE"
		fi ;;
	*:*) ip -6 route replace "$a" dev "$IFACE" ;;
	*) ip route replace "$a" dev "$IFACE" ;;
	esac || die "cannot route $a through $IFACE"
done
say "enrolled as member ${NAME:-?}: interface $IFACE up (ip, wg)"
