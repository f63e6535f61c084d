# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the bench scripts: the subscribers of the scale benches, a
# timed command, medians and ratios.
#
# subs_csv N FILE: a CSV for 'tungate import' of N subscribers of four
# tunnel types, s000001 to s<N>, one IPv4 /29 each (100.64.0.0/11), every
# second one an IPv6 /64 too; endpoints from the test ranges.
# SUBS_CSV_HEADER is its header line alone (an import of nothing);
# subs_csv_addr I is an address in subscriber I's IPv4 prefix.
SUBS_CSV_HEADER=name,type,remote,local,key,tunnel_id,session,mtu,prefixes

subs_csv() {
	awk -v n="$1" -v hdr="$SUBS_CSV_HEADER" 'BEGIN {
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
	}' >"$2"
}

subs_csv_addr() {
	local a=$(($1 * 8))
	echo "100.$((64 + a / 65536)).$((a / 256 % 256)).$((a % 256 + 1))"
}

# timed VAR CMD...: run CMD (stdout to $TMP/last.out), its wall time in ns
# into VAR; the run ends (FAIL, status 1) when it fails.
timed() {
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

# median of the arguments (numbers)
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# ratio A B: A / B, three decimals (0 when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
