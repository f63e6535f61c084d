// SPDX-License-Identifier: GPL-2.0-only
/* The member's side of the session as a tun device in this namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lns/ppp.h"
#include "lac.h"

int lac_tun_open(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* The IPCP address as a /32 with the LNS's address as its peer. */
int lac_tun_set_addr(const char *name, struct in_addr addr, struct in_addr peer,
		 int mtu)
{
	char a[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN], cmd[256];

	inet_ntop(AF_INET, &addr, a, sizeof(a));
	inet_ntop(AF_INET, &peer, p, sizeof(p));
	snprintf(cmd, sizeof(cmd), "ip link set dev %s mtu %d up", name, mtu);
	if (system(cmd))
		return -1;
	if (peer.s_addr)
		snprintf(cmd, sizeof(cmd),
			 "ip addr add %s/32 peer %s/32 dev %s", a, p, name);
	else
		snprintf(cmd, sizeof(cmd), "ip addr add %s/32 dev %s", a, name);
	return system(cmd) ? -1 : 0;
}

/* Packets the namespace routes into the tun go out in the session. */
void lac_tun_input(struct session *s)
{
	uint8_t buf[PPP_MTU_MAX + 64];
	ssize_t n;

	while ((n = read(s->tun_fd, buf, sizeof(buf))) > 0) {
		uint16_t proto = (buf[0] >> 4) == 6 ? PPP_IPV6 : PPP_IP;

		if (s->state != S_UP)
			continue;
		lac_session_send_ppp(s, proto, buf, (size_t)n);
		s->tx_pkts++;
		s->tx_bytes += (size_t)n;
	}
}
