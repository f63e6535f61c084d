// SPDX-License-Identifier: GPL-2.0-only
/*
 * udp-flood: one fixed UDP datagram to ADDR:PORT as fast as sendmmsg()
 * takes it, for SECONDS; the core's side of tests/bench/forward.sh (the
 * way down to a dial-in member), as tg-lac --flood is the member's.
 *
 *   udp-flood ADDR PORT SECONDS [BYTES]
 *
 * BYTES is the IPv4 packet's size (default 64). Prints one JSON line:
 * {"event":"flood","size":B,"sent":N,"errors":E,"seconds":S,"pps":P}.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define IP_UDP_HDR 28

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char payload[1500];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct iovec iov = { .iov_base = payload };
	unsigned long long sent = 0, errors = 0;
	struct mmsghdr mm[BATCH];
	double secs, t0, until, t;
	int fd, i, n, size = 64;

	if (argc < 4 || argc > 5 || inet_pton(AF_INET, argv[1],
					      &to.sin_addr) != 1) {
		fprintf(stderr, "usage: udp-flood ADDR PORT SECONDS [BYTES]\n");
		return 2;
	}
	to.sin_port = htons((uint16_t)atoi(argv[2]));
	secs = atof(argv[3]);
	if (argc == 5)
		size = atoi(argv[4]);
	if (size < IP_UDP_HDR || size > (int)sizeof(payload) || secs <= 0) {
		fprintf(stderr, "udp-flood: BYTES 28..1500, SECONDS > 0\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("udp-flood");
		return 1;
	}
	iov.iov_len = (size_t)(size - IP_UDP_HDR);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = t = now_s();
	until = t0 + secs;
	while (t < until) {
		n = sendmmsg(fd, mm, BATCH, 0);
		if (n > 0)
			sent += (unsigned int)n;
		else if (errno != EAGAIN && errno != ENOBUFS)
			errors++;	/* e.g. ECONNREFUSED from an ICMP error */
		t = now_s();
	}
	printf("{\"event\":\"flood\",\"size\":%d,\"sent\":%llu,\"errors\":%llu,"
	       "\"seconds\":%.3f,\"pps\":%.0f}\n", size, sent, errors, t - t0,
	       (double)sent / (t - t0));
	close(fd);
	return 0;
}
