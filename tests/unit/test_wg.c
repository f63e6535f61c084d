// SPDX-License-Identifier: GPL-2.0-only
/*
 * WireGuard without the kernel's: the requests tungate sends its netlink
 * family read back attribute by attribute, peers spread over requests
 * when they do not fit one, the answers of a device's dump decoded, the
 * up/down rule of a member, and the private key file.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include "db/sub.h"
#include "wg/privkey.h"
#include "wg/wg_diff.h"
#include "wg/wg_nl.h"
#include "wg/wg_peers.h"

/* What a request says of one peer. */
struct seen_peer {
	__u8 key[TG_WG_KEY_LEN];
	__u32 flags;
	__u16 keepalive;
	bool has_keepalive, has_ips;
	struct sockaddr_in ep;
	struct sockaddr_in6 ep6;
	bool has_ep, has_ep6;
	unsigned int nips;
	struct tg_prefix ips[4];
};

struct seen {
	char ifname[16];
	bool has_priv;
	__u16 port;
	unsigned int npeers;
	struct seen_peer peers[8];
};

static int ip_cb(const struct nlattr *a, void *data)
{
	struct tg_prefix *p = data;

	switch (mnl_attr_get_type(a)) {
	case WGALLOWEDIP_A_FAMILY:
		p->family = mnl_attr_get_u16(a);
		break;
	case WGALLOWEDIP_A_IPADDR:
		memcpy(p->addr, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		p->len = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

static int peer_cb(const struct nlattr *a, void *data)
{
	struct seen_peer *p = data;
	struct nlattr *ip;

	switch (mnl_attr_get_type(a)) {
	case WGPEER_A_PUBLIC_KEY:
		ck_assert_uint_eq(mnl_attr_get_payload_len(a), TG_WG_KEY_LEN);
		memcpy(p->key, mnl_attr_get_payload(a), TG_WG_KEY_LEN);
		break;
	case WGPEER_A_FLAGS:
		p->flags = mnl_attr_get_u32(a);
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		p->keepalive = mnl_attr_get_u16(a);
		p->has_keepalive = true;
		break;
	case WGPEER_A_ENDPOINT:
		if (mnl_attr_get_payload_len(a) == sizeof(p->ep6)) {
			memcpy(&p->ep6, mnl_attr_get_payload(a), sizeof(p->ep6));
			p->has_ep6 = true;
			break;
		}
		ck_assert_uint_eq(mnl_attr_get_payload_len(a), sizeof(p->ep));
		memcpy(&p->ep, mnl_attr_get_payload(a), sizeof(p->ep));
		p->has_ep = true;
		break;
	case WGPEER_A_ALLOWEDIPS:
		p->has_ips = true;
		mnl_attr_for_each_nested(ip, a) {
			ck_assert_uint_lt(p->nips, 4);
			mnl_attr_parse_nested(ip, ip_cb, &p->ips[p->nips++]);
		}
		break;
	}
	return MNL_CB_OK;
}

static int dev_cb(const struct nlattr *a, void *data)
{
	struct seen *s = data;
	struct nlattr *p;

	switch (mnl_attr_get_type(a)) {
	case WGDEVICE_A_IFNAME:
		snprintf(s->ifname, sizeof(s->ifname), "%s", mnl_attr_get_str(a));
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		s->has_priv = true;
		break;
	case WGDEVICE_A_LISTEN_PORT:
		s->port = mnl_attr_get_u16(a);
		break;
	case WGDEVICE_A_PEERS:
		mnl_attr_for_each_nested(p, a) {
			ck_assert_uint_lt(s->npeers, 8);
			mnl_attr_parse_nested(p, peer_cb, &s->peers[s->npeers++]);
		}
		break;
	}
	return MNL_CB_OK;
}

static void read_back(const void *buf, size_t len, struct seen *s)
{
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	memset(s, 0, sizeof(*s));
	ck_assert_uint_eq(nlh->nlmsg_len, len);
	ck_assert_uint_eq(nlh->nlmsg_type, 42);
	ck_assert(nlh->nlmsg_flags & NLM_F_REQUEST);
	ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
	ck_assert_uint_eq(g->cmd, WG_CMD_SET_DEVICE);
	ck_assert_uint_eq(g->version, WG_GENL_VERSION);
	ck_assert_int_ge(mnl_attr_parse(nlh, sizeof(*g), dev_cb, s), 0);
}

static void prefix(struct tg_prefix *p, const char *text)
{
	char err[128];

	ck_assert_msg(!tg_prefix_parse(text, p, err, sizeof(err)), "%s", err);
}

START_TEST(test_set_encoding)
{
	static const __u8 priv[TG_WG_KEY_LEN] = { 1, 2, 3 };
	struct tg_wg_dev d = { "tgwg51820", priv, 51820 };
	struct tg_prefix ips[2];
	struct tg_wg_peer peers[2] = {};
	char buf[4096];
	struct seen s;
	size_t len, next;

	prefix(&ips[0], "100.64.2.0/24");
	prefix(&ips[1], "2001:db8:2::/48");
	memset(peers[0].key, 0xaa, TG_WG_KEY_LEN);
	peers[0].keepalive = TG_WG_KEEPALIVE_S;
	peers[0].ep_addr = htonl(0xcb007102);	/* 203.0.113.2 */
	peers[0].ep_port = 51821;
	peers[0].allowed = ips;
	peers[0].nallowed = 2;
	memset(peers[1].key, 0xbb, TG_WG_KEY_LEN);
	peers[1].remove = true;

	next = tg_wg_nl_put_set(buf, sizeof(buf), 42, 7, &d, peers, 0, 2, &len);
	ck_assert_uint_eq(next, 2);
	read_back(buf, len, &s);
	ck_assert_str_eq(s.ifname, "tgwg51820");
	ck_assert(s.has_priv);
	ck_assert_uint_eq(s.port, 51820);
	ck_assert_uint_eq(s.npeers, 2);
	ck_assert_uint_eq(s.peers[0].key[0], 0xaa);
	ck_assert_uint_eq(s.peers[0].flags, WGPEER_F_REPLACE_ALLOWEDIPS);
	ck_assert_uint_eq(s.peers[0].keepalive, 25);
	ck_assert(s.peers[0].has_ep);
	ck_assert_uint_eq(s.peers[0].ep.sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(s.peers[0].ep.sin_port), 51821);
	ck_assert_uint_eq(ntohl(s.peers[0].ep.sin_addr.s_addr), 0xcb007102);
	ck_assert_uint_eq(s.peers[0].nips, 2);
	ck_assert_int_eq(s.peers[0].ips[0].family, AF_INET);
	ck_assert_uint_eq(s.peers[0].ips[0].len, 24);
	ck_assert(!memcmp(s.peers[0].ips[0].addr, ips[0].addr, 4));
	ck_assert_int_eq(s.peers[0].ips[1].family, AF_INET6);
	ck_assert_uint_eq(s.peers[0].ips[1].len, 48);
	ck_assert(!memcmp(s.peers[0].ips[1].addr, ips[1].addr, 16));
	/* A removal says nothing but the key. */
	ck_assert_uint_eq(s.peers[1].key[0], 0xbb);
	ck_assert_uint_eq(s.peers[1].flags, WGPEER_F_REMOVE_ME);
	ck_assert(!s.peers[1].has_ep && !s.peers[1].nips && !s.peers[1].keepalive);

	/* An IPv6 endpoint: a sockaddr_in6. */
	{
		__u8 a6[16];

		inet_pton(AF_INET6, "2001:db8::2", a6);
		peers[0].ep_addr = 0;
		peers[0].ep_addr6 = a6;
		tg_wg_nl_put_set(buf, sizeof(buf), 42, 8, &d, peers, 0, 1, &len);
		read_back(buf, len, &s);
		ck_assert(s.peers[0].has_ep6 && !s.peers[0].has_ep);
		ck_assert_uint_eq(s.peers[0].ep6.sin6_family, AF_INET6);
		ck_assert_uint_eq(ntohs(s.peers[0].ep6.sin6_port), 51821);
		ck_assert(!memcmp(&s.peers[0].ep6.sin6_addr, a6, 16));
		peers[0].ep_addr6 = NULL;
	}

	/* A learnt endpoint is not sent: the kernel keeps what it learnt. */
	peers[0].ep_addr = 0;
	tg_wg_nl_put_set(buf, sizeof(buf), 42, 8, &d, peers, 0, 1, &len);
	read_back(buf, len, &s);
	ck_assert(!s.peers[0].has_ep && !s.peers[0].has_ep6);
}
END_TEST

/* Peers that do not fit one request go whole into the next ones. */
START_TEST(test_set_split)
{
	static const __u8 priv[TG_WG_KEY_LEN] = { 1 };
	struct tg_wg_dev d = { "tgwg1", priv, 1 };
	struct tg_wg_peer peers[5] = {};
	struct tg_prefix ip;
	size_t len, at = 0, next, total = 0, n;
	char buf[300];
	struct seen s;
	int requests = 0;

	prefix(&ip, "100.64.9.0/24");
	for (n = 0; n < 5; n++) {
		memset(peers[n].key, 0x10 + n, TG_WG_KEY_LEN);
		peers[n].allowed = &ip;
		peers[n].nallowed = 1;
		peers[n].keepalive = 25;
	}
	while (at < 5) {
		next = tg_wg_nl_put_set(buf, sizeof(buf), 42, 9, &d, peers, at, 5,
					&len);
		ck_assert_uint_gt(next, at);
		ck_assert_uint_le(len, sizeof(buf));
		read_back(buf, len, &s);
		/* The device's key and port in the first request only. */
		ck_assert(s.has_priv == (at == 0));
		ck_assert_uint_eq(s.npeers, next - at);
		for (n = 0; n < s.npeers; n++) {
			ck_assert_uint_eq(s.peers[n].key[0], 0x10 + at + n);
			ck_assert_uint_eq(s.peers[n].nips, 1);
		}
		total += s.npeers;
		at = next;
		requests++;
	}
	ck_assert_uint_eq(total, 5);
	ck_assert_int_gt(requests, 1);
	/* A peer bigger than a request alone: none put, the caller refuses. */
	ck_assert_uint_eq(tg_wg_nl_put_set(buf, 80, 42, 9, &d, peers, 1, 5, &len), 1);
}
END_TEST

/* One peer of a WG_CMD_GET_DEVICE answer, as the kernel puts it. */
static void put_peer(struct nlmsghdr *nlh, __u8 key, __s64 handshake,
		     const void *ep, size_t eplen, __u64 rx, __u64 tx,
		     bool more_ips)
{
	struct __kernel_timespec ts = { .tv_sec = handshake, .tv_nsec = 5 };
	struct nlattr *peer, *ips, *ip;
	__u8 k[TG_WG_KEY_LEN];

	memset(k, key, sizeof(k));
	peer = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, sizeof(k), k);
	if (!more_ips) {
		mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, sizeof(k), k);
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
		mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
		mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, rx);
		mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, tx);
		mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
		if (ep)
			mnl_attr_put(nlh, WGPEER_A_ENDPOINT, eplen, ep);
	}
	ips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	ip = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, WGALLOWEDIP_A_IPADDR, htonl(0x64400200));
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 24);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, ips);
	mnl_attr_nest_end(nlh, peer);
}

static struct nlmsghdr *get_reply(void *buf, bool first)
{
	static const __u8 pub[TG_WG_KEY_LEN] = { 9, 9, 9 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 42;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "tgwg51820");
	if (first) {
		mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, sizeof(pub), pub);
		mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
		mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0);
	}
	return nlh;
}

/*
 * A device's dump in two messages: an IPv4 endpoint with a handshake, an
 * IPv6 one without, a peer with no endpoint whose allowed IPs go on in
 * the second message, then one more peer.
 */
START_TEST(test_get_decode)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(51821) };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
				  .sin_port = htons(40000),
				  .sin_addr.s_addr = htonl(0xcb007102) };
	char buf[2][2048], ep[TG_WG_EP_STRLEN];
	struct tg_wg_state st = {};
	struct nlmsghdr *nlh;
	struct nlattr *peers;

	inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
	nlh = get_reply(buf[0], true);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 0xa1, 1700000000, &s4, sizeof(s4), 1234, 5678, false);
	put_peer(nlh, 0xa2, 0, &s6, sizeof(s6), 0, 148, false);
	put_peer(nlh, 0xa3, 0, NULL, 0, 0, 0, false);
	mnl_attr_nest_end(nlh, peers);
	ck_assert_int_eq(tg_wg_nl_read_dev(nlh, &st), 0);
	nlh = get_reply(buf[1], false);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 0xa3, 0, NULL, 0, 0, 0, true);
	put_peer(nlh, 0xa4, 1700000100, &s4, sizeof(s4), 1, 2, false);
	mnl_attr_nest_end(nlh, peers);
	ck_assert_int_eq(tg_wg_nl_read_dev(nlh, &st), 0);

	ck_assert_uint_eq(st.port, 51820);
	ck_assert(st.has_public && st.public_key[0] == 9);
	ck_assert_uint_eq(st.npeers, 4);
	ck_assert_uint_eq(st.peers[0].key[31], 0xa1);
	ck_assert_int_eq(st.peers[0].handshake, 1700000000);
	ck_assert_uint_eq(st.peers[0].rx_bytes, 1234);
	ck_assert_uint_eq(st.peers[0].tx_bytes, 5678);
	tg_wg_peer_endpoint_format(&st.peers[0], ep, sizeof(ep));
	ck_assert_str_eq(ep, "203.0.113.2:40000");
	ck_assert_uint_eq(st.peers[1].key[0], 0xa2);
	ck_assert_int_eq(st.peers[1].handshake, 0);
	ck_assert_uint_eq(st.peers[1].tx_bytes, 148);
	tg_wg_peer_endpoint_format(&st.peers[1], ep, sizeof(ep));
	ck_assert_str_eq(ep, "[2001:db8::1]:51821");
	/* Its allowed IPs went on: counted once, with what it first said. */
	ck_assert_uint_eq(st.peers[2].key[0], 0xa3);
	ck_assert_uint_eq(st.peers[2].ep_family, 0);
	tg_wg_peer_endpoint_format(&st.peers[2], ep, sizeof(ep));
	ck_assert_str_eq(ep, "");
	ck_assert_uint_eq(st.peers[3].key[0], 0xa4);
	ck_assert_int_eq(st.peers[3].handshake, 1700000100);
	/* Keepalive and allowed IPs, the going on ones with their peer's. */
	ck_assert_uint_eq(st.peers[0].keepalive, 25);
	ck_assert_uint_eq(st.peers[0].nallowed, 1);
	ck_assert_uint_eq(st.peers[2].nallowed, 2);
	ck_assert_uint_eq(st.peers[3].nallowed, 1);
	ck_assert_uint_eq(st.nallowed, 5);
	ck_assert_uint_eq(st.peers[3].allowed_at, 4);
	ck_assert_int_eq(st.allowed[4].family, AF_INET);
	ck_assert_uint_eq(st.allowed[4].len, 24);
	ck_assert_uint_eq(ntohl(*(__u32 *)st.allowed[4].addr), 0x64400200);
	tg_wg_state_free(&st);

	/* A peer without its key: the answer does not read. */
	memset(&st, 0, sizeof(st));
	nlh = get_reply(buf[0], true);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	{
		struct nlattr *p = mnl_attr_nest_start(nlh, 0);

		mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 1);
		mnl_attr_nest_end(nlh, p);
	}
	mnl_attr_nest_end(nlh, peers);
	ck_assert_int_eq(tg_wg_nl_read_dev(nlh, &st), -EBADMSG);
	tg_wg_state_free(&st);
}
END_TEST

static void want_peer(struct tg_wg_peer *p, __u8 key, __u16 ep_port,
		      const struct tg_prefix *ips, unsigned int nips)
{
	memset(p, 0, sizeof(*p));
	memset(p->key, key, TG_WG_KEY_LEN);
	if (ep_port) {
		p->ep_addr = htonl(0xcb007102);	/* 203.0.113.2 */
		p->ep_port = ep_port;
		p->keepalive = TG_WG_KEEPALIVE_S;
	}
	p->allowed = ips;
	p->nallowed = nips;
}

/*
 * The kernel's peers (each 100.64.2.0/24, keepalive 25) against the
 * wanted ones, and the request that makes them so: an unchanged peer is
 * not sent, of a changed one only what differs, a learnt endpoint never.
 */
START_TEST(test_diff)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(51821) };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
				  .sin_port = htons(40000),
				  .sin_addr.s_addr = htonl(0xcb007102) };
	static const __u8 priv[TG_WG_KEY_LEN] = { 1 };
	struct tg_wg_dev d = { "tgwg51820", priv, 51820 };
	struct tg_wg_peer want[5], out[11];
	struct tg_wg_state st = {};
	struct tg_wg_diff diff;
	struct tg_prefix ips[2];
	char buf[2][2048], req[4096];
	struct nlmsghdr *nlh;
	struct nlattr *peers;
	struct seen s;
	size_t len;
	ssize_t n;

	inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
	prefix(&ips[0], "100.64.2.0/24");
	prefix(&ips[1], "2001:db8:2::/48");
	nlh = get_reply(buf[0], true);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 0xa1, 0, &s4, sizeof(s4), 0, 0, false);
	put_peer(nlh, 0xa2, 0, &s6, sizeof(s6), 0, 0, false);
	put_peer(nlh, 0xa3, 0, NULL, 0, 0, 0, false);
	mnl_attr_nest_end(nlh, peers);
	ck_assert_int_eq(tg_wg_nl_read_dev(nlh, &st), 0);
	nlh = get_reply(buf[1], false);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 0xa6, 0, &s4, sizeof(s4), 0, 0, false);
	put_peer(nlh, 0xa4, 0, &s4, sizeof(s4), 0, 0, false);
	mnl_attr_nest_end(nlh, peers);
	ck_assert_int_eq(tg_wg_nl_read_dev(nlh, &st), 0);
	ck_assert_uint_eq(st.npeers, 5);

	want_peer(&want[0], 0xa6, 40001, ips, 1);	/* moved: endpoint */
	want_peer(&want[1], 0xa1, 40000, ips, 1);	/* as it is */
	want_peer(&want[2], 0xa5, 0, ips, 2);		/* new, learnt */
	want_peer(&want[3], 0xa2, 0, ips, 1);		/* learnt: keepalive 0 */
	want_peer(&want[4], 0xa4, 40000, ips, 2);	/* one more IP */
	n = tg_wg_diff(want, 5, &st, out, &diff);
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(diff.added, 1);
	ck_assert_uint_eq(diff.changed, 3);
	ck_assert_uint_eq(diff.removed, 1);
	ck_assert_uint_eq(tg_wg_nl_put_set(req, sizeof(req), 42, 3, &d, out, 0,
					   n, &len), n);
	read_back(req, len, &s);
	ck_assert_uint_eq(s.npeers, 5);
	/* The pinned endpoint that moved, alone. */
	ck_assert_uint_eq(s.peers[0].key[0], 0xa6);
	ck_assert(s.peers[0].has_ep && ntohs(s.peers[0].ep.sin_port) == 40001);
	ck_assert(!s.peers[0].has_keepalive && !s.peers[0].has_ips);
	ck_assert_uint_eq(s.peers[0].flags, 0);
	/* New: its IPs replaced, no keepalive (learnt), no endpoint. */
	ck_assert_uint_eq(s.peers[1].key[0], 0xa5);
	ck_assert_uint_eq(s.peers[1].flags, WGPEER_F_REPLACE_ALLOWEDIPS);
	ck_assert(s.peers[1].has_ips && s.peers[1].nips == 2);
	ck_assert(!s.peers[1].has_keepalive && !s.peers[1].has_ep &&
		  !s.peers[1].has_ep6);
	/* Learnt: keepalive 0, its learnt endpoint and IPs left alone. */
	ck_assert_uint_eq(s.peers[2].key[0], 0xa2);
	ck_assert(s.peers[2].has_keepalive && !s.peers[2].keepalive);
	ck_assert(!s.peers[2].has_ep && !s.peers[2].has_ep6 &&
		  !s.peers[2].has_ips);
	ck_assert_uint_eq(s.peers[2].flags, 0);
	/* Another set of IPs: replaced, nothing else. */
	ck_assert_uint_eq(s.peers[3].key[0], 0xa4);
	ck_assert_uint_eq(s.peers[3].flags, WGPEER_F_REPLACE_ALLOWEDIPS);
	ck_assert_uint_eq(s.peers[3].nips, 2);
	ck_assert(!s.peers[3].has_keepalive && !s.peers[3].has_ep);
	/* Nobody's: removed. */
	ck_assert_uint_eq(s.peers[4].key[0], 0xa3);
	ck_assert_uint_eq(s.peers[4].flags, WGPEER_F_REMOVE_ME);

	/* The same IPs, endpoints and keepalives: nothing to send. */
	want_peer(&want[0], 0xa1, 40000, ips, 1);
	want_peer(&want[1], 0xa6, 40000, ips, 1);
	want_peer(&want[2], 0xa4, 40000, ips, 1);
	want_peer(&want[3], 0xa3, 0, ips, 1);
	want[3].keepalive = 25;
	want_peer(&want[4], 0xa2, 0, ips, 1);
	want[4].keepalive = 25;
	n = tg_wg_diff(want, 5, &st, out, &diff);
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(diff.added + diff.changed + diff.removed, 0);
	tg_wg_state_free(&st);
}
END_TEST

/* Up while the last handshake is at most 3 minutes old; never: down. */
START_TEST(test_up_rule)
{
	const __s64 now = 1700000000;

	ck_assert(!tg_wg_peer_up(0, now));
	ck_assert_int_eq(tg_wg_handshake_age(0, now), -1);
	ck_assert(tg_wg_peer_up(now, now));
	ck_assert(tg_wg_peer_up(now - 179, now));
	ck_assert(tg_wg_peer_up(now - TG_WG_UP_S, now));
	ck_assert(!tg_wg_peer_up(now - TG_WG_UP_S - 1, now));
	ck_assert_int_eq(tg_wg_handshake_age(now - 181, now), 181);
	ck_assert(!tg_wg_peer_up(now - 86400, now));
	/* The clock went back: age 0, up. */
	ck_assert_int_eq(tg_wg_handshake_age(now + 5, now), 0);
	ck_assert(tg_wg_peer_up(now + 5, now));
}
END_TEST

/* The key file: made once, 0600, read back the same; bad files refused. */
START_TEST(test_privkey)
{
	char dir[] = "/tmp/tg-wgkey.XXXXXX", path[64], err[256];
	__u8 priv[32], pub[32], priv2[32], pub2[32];
	struct stat st;
	FILE *f;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/wireguard.key", dir);
	ck_assert_int_eq(tg_wg_privkey_load(path, false, priv, pub, err,
					    sizeof(err)), -ENOENT);
	ck_assert_msg(!tg_wg_privkey_load(path, true, priv, pub, err, sizeof(err)),
		      "%s", err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* Clamped as Curve25519 wants. */
	ck_assert_uint_eq(priv[0] & 7, 0);
	ck_assert_uint_eq(priv[31] & 0xc0, 0x40);
	ck_assert_msg(!tg_wg_privkey_load(path, true, priv2, pub2, err, sizeof(err)),
		      "%s", err);
	ck_assert(!memcmp(priv, priv2, 32) && !memcmp(pub, pub2, 32));
	ck_assert(memcmp(priv, pub, 32));

	/* RFC 7748 6.1: Alice's private key and public key. */
	ck_assert_int_eq(unlink(path), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n", f);
	fclose(f);
	ck_assert_msg(!tg_wg_privkey_load(path, false, priv, pub, err, sizeof(err)),
		      "%s", err);
	{
		char b64[TG_WG_KEY_B64 + 1];

		tg_wg_key_format(pub, b64);
		ck_assert_str_eq(b64, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
	}

	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(tg_wg_privkey_load(path, false, priv, pub, err,
					    sizeof(err)), -EPERM);
	ck_assert_msg(strstr(err, "mode 0644"), "%s", err);
	ck_assert_int_eq(chmod(path, 0600), 0);
	f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	ck_assert_int_eq(tg_wg_privkey_load(path, true, priv, pub, err,
					    sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a WireGuard key"), "%s", err);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *wg_suite(void)
{
	Suite *s = suite_create("wg");
	TCase *tc = tcase_create("wg");

	tcase_add_test(tc, test_set_encoding);
	tcase_add_test(tc, test_set_split);
	tcase_add_test(tc, test_get_decode);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_up_rule);
	tcase_add_test(tc, test_privkey);
	suite_add_tcase(s, tc);
	return s;
}
