// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two ends of the live veth benchmark (tests/bench/veth.sh).
 * tg_veth_gen: run by BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 * (as xdp-tools' xdp-trafficgen does): every run writes the template
 * frame's headers over the page, adds the next subscriber's offset to its
 * addresses, redoes the IPv4 header checksums and redirects the frame out
 * of gen_ifindex. The pages are recycled without being reset and the
 * concentrator rewrote them on the way (MACs, TTL, a decapsulation moves
 * the Ethernet header), so the headers are written whole every time.
 * tg_veth_sink: counts and drops what arrives.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Bytes of headers the generator rewrites: Ethernet, 2 IPv4, GRE with key, UDP. */
#define GEN_HDR 72
/* IPv4 headers whose addresses step and whose checksums are redone. */
#define GEN_MAX_IP 2

const volatile __u32 gen_ifindex;
/* Subscribers to rotate over; the step between two packets' subscribers. */
const volatile __u32 gen_count = 1;
const volatile __u32 gen_stride;
/*
 * Per IPv4 header: its offset in the frame (0: none) and what one
 * subscriber adds to its source and destination addresses (host order).
 */
const volatile __u32 gen_ip_off[GEN_MAX_IP];
const volatile __u32 gen_src_step[GEN_MAX_IP];
const volatile __u32 gen_dst_step[GEN_MAX_IP];
/* Offset of the UDP header whose source port steps instead (0: none). */
const volatile __u32 gen_port_off;
/* As 64-bit words: volatile reads, never folded to the zeros of the file. */
const volatile __u64 gen_template[GEN_HDR / 8];

/* Subscriber of the next packet: the generator runs on one CPU. */
__u32 gen_next;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tg_veth_count SEC(".maps");

static __always_inline __u16 ip4_csum(const __u16 *h)
{
	__u32 sum = 0;
	int i;

	for (i = 0; i < 10; i++)
		sum += h[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int tg_veth_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 sub = gen_next, next, off;
	__u16 *ip;
	int i;

	if (data + GEN_HDR > data_end)
		return XDP_ABORTED;
	for (i = 0; i < GEN_HDR / 8; i++)
		((__u64 *)data)[i] = gen_template[i];
	next = sub + gen_stride;
	gen_next = next >= gen_count ? next - gen_count : next;
	for (i = 0; i < GEN_MAX_IP; i++) {
		off = gen_ip_off[i];
		/* Known at load (read-only data): the verifier sees the bound. */
		if (!off || off > GEN_HDR - 20)
			continue;
		ip = data + off;
		if ((void *)(ip + 10) > data_end)
			return XDP_ABORTED;
		/* saddr and daddr: 16-bit words 6..9 of the header. */
		*(__be32 *)(ip + 6) = bpf_htonl(bpf_ntohl(*(__be32 *)(ip + 6)) +
						sub * gen_src_step[i]);
		*(__be32 *)(ip + 8) = bpf_htonl(bpf_ntohl(*(__be32 *)(ip + 8)) +
						sub * gen_dst_step[i]);
		ip[5] = 0;
		ip[5] = ip4_csum(ip);
	}
	off = gen_port_off;
	if (off && off <= GEN_HDR - 8) {
		__be16 *port = data + off;

		if ((void *)(port + 1) > data_end)
			return XDP_ABORTED;
		*port = bpf_htons(bpf_ntohs(*port) + (__u16)sub);
	}
	return bpf_redirect(gen_ifindex, 0);
}

SEC("xdp")
int tg_veth_sink(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&tg_veth_count, &key);

	if (n)
		(*n)++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
