// SPDX-License-Identifier: GPL-2.0-only
/*
 * steer-gen: one GRE tunnel (key 7, REMOTE -> 192.0.2.1) carrying FLOWS
 * inner UDP flows from SRC to 198.51.100.2:9, sent out of IFACE (whose
 * peer runs tungate) as fast as BPF_PROG_TEST_RUN with live frames takes
 * them, for SECONDS, on the CPU it runs on (gen.bpf.o turns each frame
 * around with XDP_TX and the next source port).
 *
 *   steer-gen OBJ IFACE DST_MAC REMOTE SRC FLOWS SECONDS
 *
 * Prints {"sent": N, "seconds": S, "pps": P}.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define GEN_LEN (14 + 20 + 8 + 20 + 8 + 18)
#define GEN_REPEAT (1 << 16)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned short ip_csum(const unsigned char *p, int len)
{
	unsigned int sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

/* IPv4 header of total length len, protocol proto, at p. */
static void ip_hdr(unsigned char *p, int len, int proto, const char *src,
		   const char *dst)
{
	unsigned short c;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	c = ip_csum(p, 20);
	p[10] = c >> 8;
	p[11] = c & 0xff;
}

int main(int argc, char **argv)
{
	unsigned char frame[GEN_LEN] = { 0 }, *p = frame;
	unsigned char cfg[4 + GEN_LEN + 4] = { 0 };
	struct xdp_md ctx_in = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = sizeof(frame), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .repeat = GEN_REPEAT,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	unsigned long long sent = 0;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *data_map;
	double secs, t0;
	unsigned int mac[6];
	__u32 flows;
	int i, fd;

	if (argc != 8 || sscanf(argv[3], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
				&mac[2], &mac[3], &mac[4], &mac[5]) != 6) {
		fprintf(stderr, "usage: steer-gen OBJ IFACE DST_MAC REMOTE SRC FLOWS SECONDS\n");
		return 2;
	}
	flows = (unsigned int)atoi(argv[6]);
	secs = atof(argv[7]);
	ctx_in.data_end = sizeof(frame);
	ctx_in.ingress_ifindex = if_nametoindex(argv[2]);
	if (!ctx_in.ingress_ifindex || !flows || secs <= 0) {
		fprintf(stderr, "steer-gen: bad interface, FLOWS or SECONDS\n");
		return 2;
	}
	for (i = 0; i < 6; i++)
		p[i] = (unsigned char)mac[i];
	p[6] = 0x02;
	p[12] = 0x08;
	p += 14;
	ip_hdr(p, GEN_LEN - 14, 47, argv[4], "192.0.2.1");
	p += 20;
	p[0] = 0x20;			/* GRE, K bit */
	p[2] = 0x08;			/* IPv4 */
	p[7] = 7;			/* key 7 */
	p += 8;
	ip_hdr(p, GEN_LEN - 42, 17, argv[5], "198.51.100.2");
	p += 20;
	p[0] = 20000 >> 8;
	p[1] = 20000 & 0xff;
	p[3] = 9;
	p[5] = GEN_LEN - 62;

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("steer-gen: open");
		return 1;
	}
	/* .data holds gen.bpf.c's cfg alone: nflows, the frame, seq. */
	memcpy(cfg, &flows, sizeof(flows));
	memcpy(cfg + sizeof(flows), frame, sizeof(frame));
	data_map = bpf_object__find_map_by_name(obj, ".data");
	if (!data_map || bpf_map__set_initial_value(data_map, cfg, sizeof(cfg)) ||
	    bpf_object__load(obj)) {
		perror("steer-gen: load");
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "tg_gen");
	fd = bpf_program__fd(prog);
	t0 = now_s();
	while (now_s() - t0 < secs) {
		if (bpf_prog_test_run_opts(fd, &opts)) {
			perror("steer-gen: test run");
			return 1;
		}
		sent += GEN_REPEAT;
	}
	secs = now_s() - t0;
	printf("{\"sent\": %llu, \"seconds\": %.3f, \"pps\": %.0f}\n", sent,
	       secs, sent / secs);
	bpf_object__close(obj);
	return 0;
}
