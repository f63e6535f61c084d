#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dhcpcd's script in the dial-in guest (tests/lns/guest.sh): keeps the
# delegated prefix in /tmp/pd and changes nothing else.
case $reason in
BOUND6 | RENEW6 | REBIND6 | REBOOT6)
	p=${new_dhcp6_ia_pd1_prefix1:-}
	[ -n "$p" ] &&
		echo "$p/${new_dhcp6_ia_pd1_prefix1_length:-}" >/tmp/pd
	;;
esac
exit 0
