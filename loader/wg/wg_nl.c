// SPDX-License-Identifier: GPL-2.0-only
/*
 * WireGuard's generic netlink family over libmnl: the family found by
 * name, devices set in requests of whole peers, devices read by dump.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include "wg/wg_nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

static struct nlmsghdr *wg_put_header(void *buf, __u16 type, __u16 flags,
				      __u32 seq, __u8 cmd, __u8 version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int ext_msg_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		*(const char **)data = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* The kernel's errno of an NLMSG_ERROR, its extended ack text in err. */
static int wg_error_of(const struct nlmsghdr *nlh, char *err, size_t errlen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *msg = NULL;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	if (!e->error)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(*e), ext_msg_cb, &msg);
	snprintf(err, errlen, "%s%s%s", strerror(-e->error),
		 msg ? ": " : "", msg ? msg : "");
	return e->error;
}

typedef int (*wg_msg_fn)(const struct nlmsghdr *nlh, void *data);

/*
 * Send one request and read its answers: fn on each data message, until
 * the ack (or the dump's end). 0 or a negative errno, err says why.
 */
static int wg_talk(struct tg_wg_nl *w, struct nlmsghdr *req, wg_msg_fn fn,
		   void *data, char *err, size_t errlen)
{
	const struct nlmsghdr *nlh;
	int len, ret;
	char *buf;

	if (mnl_socket_sendto(w->nl, req, req->nlmsg_len) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot send: %s", strerror(-ret));
		return ret;
	}
	buf = malloc(TG_WG_NL_RCV);
	if (!buf)
		return -ENOMEM;
	ret = 0;
	for (;;) {
		len = mnl_socket_recvfrom(w->nl, buf, TG_WG_NL_RCV);
		if (len < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot read the answer: %s",
				 strerror(-ret));
			goto out;
		}
		for (nlh = (const void *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    !mnl_nlmsg_portid_ok(nlh, w->portid))
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				ret = wg_error_of(nlh, err, errlen);
				goto out;
			}
			/* A dump's end: its status after the header. */
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
					ret = *(const int *)mnl_nlmsg_get_payload(nlh);
				if (ret)
					snprintf(err, errlen, "%s", strerror(-ret));
				goto out;
			}
			if (fn) {
				ret = fn(nlh, data);
				if (ret) {
					snprintf(err, errlen, "an answer does not read: %s",
						 strerror(-ret));
					goto out;
				}
			}
		}
	}
out:
	free(buf);
	return ret;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    !mnl_attr_validate(a, MNL_TYPE_U16))
		*(__u16 *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return 0;
}

int tg_wg_nl_open(struct tg_wg_nl *w, char *err, size_t errlen)
{
	char buf[256];
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(w, 0, sizeof(*w));
	w->seq = time(NULL);
	w->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!w->nl) {
		ret = -errno;
		snprintf(err, errlen, "cannot open a netlink socket: %s",
			 strerror(-ret));
		return ret;
	}
	if (mnl_socket_bind(w->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot bind a netlink socket: %s",
			 strerror(-ret));
		tg_wg_nl_close(w);
		return ret;
	}
	w->portid = mnl_socket_get_portid(w->nl);
	mnl_socket_setsockopt(w->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	nlh = wg_put_header(buf, GENL_ID_CTRL, NLM_F_ACK, ++w->seq,
			    CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	ret = wg_talk(w, nlh, family_cb, &w->family, err, errlen);
	if (ret == -ENOENT || (!ret && !w->family)) {
		snprintf(err, errlen, "%s", TG_WG_NO_MODULE);
		ret = -ENOENT;
	}
	if (ret)
		tg_wg_nl_close(w);
	return ret;
}

void tg_wg_nl_close(struct tg_wg_nl *w)
{
	if (w->nl)
		mnl_socket_close(w->nl);
	w->nl = NULL;
}

static bool wg_put_allowed(struct nlmsghdr *nlh, size_t len,
			   const struct tg_prefix *p)
{
	struct nlattr *a = mnl_attr_nest_start_check(nlh, len, 0);

	if (!a)
		return false;
	if (!mnl_attr_put_u16_check(nlh, len, WGALLOWEDIP_A_FAMILY, p->family) ||
	    !mnl_attr_put_check(nlh, len, WGALLOWEDIP_A_IPADDR,
				p->family == AF_INET ? 4 : 16, p->addr) ||
	    !mnl_attr_put_u8_check(nlh, len, WGALLOWEDIP_A_CIDR_MASK, p->len)) {
		mnl_attr_nest_cancel(nlh, a);
		return false;
	}
	mnl_attr_nest_end(nlh, a);
	return true;
}

static bool wg_put_peer(struct nlmsghdr *nlh, size_t len,
			const struct tg_wg_peer *p)
{
	struct nlattr *peer, *ips;
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	unsigned int i;

	peer = mnl_attr_nest_start_check(nlh, len, 0);
	if (!peer)
		return false;
	if (!mnl_attr_put_check(nlh, len, WGPEER_A_PUBLIC_KEY, TG_WG_KEY_LEN,
				p->key))
		goto cancel;
	if (p->remove) {
		if (!mnl_attr_put_u32_check(nlh, len, WGPEER_A_FLAGS,
					    WGPEER_F_REMOVE_ME))
			goto cancel;
		goto done;
	}
	if (!p->same_allowed &&
	    !mnl_attr_put_u32_check(nlh, len, WGPEER_A_FLAGS,
				    WGPEER_F_REPLACE_ALLOWEDIPS))
		goto cancel;
	if (!p->same_keepalive &&
	    !mnl_attr_put_u16_check(nlh, len,
				    WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				    p->keepalive))
		goto cancel;
	if (p->ep_addr6) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, p->ep_addr6, 16);
		sin6.sin6_port = htons(p->ep_port);
		if (!mnl_attr_put_check(nlh, len, WGPEER_A_ENDPOINT,
					sizeof(sin6), &sin6))
			goto cancel;
	} else if (p->ep_addr) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = p->ep_addr;
		sin.sin_port = htons(p->ep_port);
		if (!mnl_attr_put_check(nlh, len, WGPEER_A_ENDPOINT, sizeof(sin),
					&sin))
			goto cancel;
	}
	if (p->same_allowed)
		goto done;
	ips = mnl_attr_nest_start_check(nlh, len, WGPEER_A_ALLOWEDIPS);
	if (!ips)
		goto cancel;
	for (i = 0; i < p->nallowed; i++)
		if (!wg_put_allowed(nlh, len, &p->allowed[i]))
			goto cancel;
	mnl_attr_nest_end(nlh, ips);
done:
	mnl_attr_nest_end(nlh, peer);
	return true;
cancel:
	mnl_attr_nest_cancel(nlh, peer);
	return false;
}

size_t tg_wg_nl_put_set(void *buf, size_t len, __u16 family, __u32 seq,
			const struct tg_wg_dev *d, const struct tg_wg_peer *peers,
			size_t first, size_t n, size_t *msg_len)
{
	struct nlmsghdr *nlh;
	struct nlattr *list;
	size_t i = first;

	nlh = wg_put_header(buf, family, NLM_F_ACK, seq, WG_CMD_SET_DEVICE,
			    WG_GENL_VERSION);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, d->ifname);
	if (!first && d->private_key)
		mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, TG_WG_KEY_LEN,
			     d->private_key);
	if (!first && d->port)
		mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, d->port);
	if (first < n) {
		list = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		for (; i < n; i++)
			if (!wg_put_peer(nlh, len, &peers[i]))
				break;
		mnl_attr_nest_end(nlh, list);
	}
	*msg_len = nlh->nlmsg_len;
	return i;
}

int tg_wg_nl_set(struct tg_wg_nl *w, const struct tg_wg_dev *d,
		 const struct tg_wg_peer *peers, size_t n, char *err,
		 size_t errlen)
{
	size_t i = 0, next, msg_len;
	void *buf;
	int ret = 0;

	buf = malloc(TG_WG_NL_BUF);
	if (!buf)
		return -ENOMEM;
	do {
		next = tg_wg_nl_put_set(buf, TG_WG_NL_BUF, w->family, ++w->seq,
					d, peers, i, n, &msg_len);
		if (next == i && i < n) {
			snprintf(err, errlen, "a peer does not fit one request");
			ret = -EMSGSIZE;
			break;
		}
		ret = wg_talk(w, buf, NULL, NULL, err, errlen);
		i = next;
	} while (!ret && i < n);
	free(buf);
	return ret;
}

struct wg_get {
	struct tg_wg_state *s;
	struct tg_wg_peer_state p;	/* the peer being read */
	int err;
};

void tg_wg_state_free(struct tg_wg_state *s)
{
	free(s->peers);
	free(s->allowed);
	memset(s, 0, sizeof(*s));
}

static int allowed_attr_cb(const struct nlattr *a, void *data)
{
	struct tg_prefix *ip = data;
	size_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case WGALLOWEDIP_A_FAMILY:
		if (!mnl_attr_validate(a, MNL_TYPE_U16))
			ip->family = mnl_attr_get_u16(a);
		break;
	case WGALLOWEDIP_A_IPADDR:
		if (len == 4 || len == 16)
			memcpy(ip->addr, mnl_attr_get_payload(a), len);
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (!mnl_attr_validate(a, MNL_TYPE_U8))
			ip->len = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

/*
 * v (n elements of size) with room for one more: room for 64, then
 * doubled whenever full (n a power of two). NULL: out of memory.
 */
static void *wg_grow(void *v, size_t n, size_t size)
{
	if (n && (n < 64 || (n & (n - 1))))
		return v;
	return realloc(v, (n ? n * 2 : 64) * size);
}

/* A peer's allowed IPs, appended to the state's. */
static int wg_read_allowed(const struct nlattr *nest, struct wg_get *g)
{
	struct tg_wg_state *s = g->s;
	struct tg_prefix ip;
	struct nlattr *a;
	void *v;

	mnl_attr_for_each_nested(a, nest) {
		memset(&ip, 0, sizeof(ip));
		if (mnl_attr_parse_nested(a, allowed_attr_cb, &ip) < 0 ||
		    (ip.family != AF_INET && ip.family != AF_INET6))
			return -EBADMSG;
		v = wg_grow(s->allowed, s->nallowed, sizeof(*s->allowed));
		if (!v)
			return -ENOMEM;
		s->allowed = v;
		s->allowed[s->nallowed++] = ip;
		g->p.nallowed++;
	}
	return 0;
}

static int peer_attr_cb(const struct nlattr *a, void *data)
{
	struct wg_get *g = data;
	struct tg_wg_peer_state *p = &g->p;
	const struct sockaddr_in6 *sin6;
	const struct sockaddr_in *sin;
	struct __kernel_timespec ts;
	size_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case WGPEER_A_PUBLIC_KEY:
		if (len == TG_WG_KEY_LEN)
			memcpy(p->key, mnl_attr_get_payload(a), TG_WG_KEY_LEN);
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		/* Copied: an attribute is 4-byte aligned only. */
		if (len == sizeof(ts)) {
			memcpy(&ts, mnl_attr_get_payload(a), sizeof(ts));
			p->handshake = ts.tv_sec;
		}
		break;
	case WGPEER_A_RX_BYTES:
		if (!mnl_attr_validate(a, MNL_TYPE_U64))
			p->rx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_TX_BYTES:
		if (!mnl_attr_validate(a, MNL_TYPE_U64))
			p->tx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_ENDPOINT:
		sin = mnl_attr_get_payload(a);
		sin6 = mnl_attr_get_payload(a);
		if (len == sizeof(*sin) && sin->sin_family == AF_INET) {
			p->ep_family = AF_INET;
			p->ep_port = ntohs(sin->sin_port);
			memcpy(p->ep_addr, &sin->sin_addr, 4);
		} else if (len == sizeof(*sin6) && sin6->sin6_family == AF_INET6) {
			p->ep_family = AF_INET6;
			p->ep_port = ntohs(sin6->sin6_port);
			memcpy(p->ep_addr, &sin6->sin6_addr, 16);
		}
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (!mnl_attr_validate(a, MNL_TYPE_U16))
			p->keepalive = mnl_attr_get_u16(a);
		break;
	case WGPEER_A_ALLOWEDIPS:
		g->err = wg_read_allowed(a, g);
		if (g->err)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

/* One peer nest into g->s: appended, or merged into the last one. */
static int wg_read_peer(const struct nlattr *nest, struct wg_get *g)
{
	static const __u8 zero[TG_WG_KEY_LEN];
	struct tg_wg_state *s = g->s;
	struct tg_wg_peer_state *p = &g->p;
	void *v;

	memset(p, 0, sizeof(*p));
	p->allowed_at = s->nallowed;
	if (mnl_attr_parse_nested(nest, peer_attr_cb, g) < 0)
		return g->err ? g->err : -EBADMSG;
	if (!memcmp(p->key, zero, TG_WG_KEY_LEN))
		return -EBADMSG;
	/*
	 * Its allowed IPs going on: key and IPs alone, nothing new but the
	 * IPs, appended right after its others.
	 */
	if (s->npeers && !memcmp(s->peers[s->npeers - 1].key, p->key,
				 TG_WG_KEY_LEN)) {
		s->peers[s->npeers - 1].nallowed += p->nallowed;
		return 0;
	}
	v = wg_grow(s->peers, s->npeers, sizeof(*s->peers));
	if (!v)
		return -ENOMEM;
	s->peers = v;
	s->peers[s->npeers++] = *p;
	return 0;
}

static int dev_attr_cb(const struct nlattr *a, void *data)
{
	struct wg_get *g = data;
	struct nlattr *p;

	switch (mnl_attr_get_type(a)) {
	case WGDEVICE_A_LISTEN_PORT:
		if (!mnl_attr_validate(a, MNL_TYPE_U16))
			g->s->port = mnl_attr_get_u16(a);
		break;
	case WGDEVICE_A_PUBLIC_KEY:
		if (mnl_attr_get_payload_len(a) == TG_WG_KEY_LEN) {
			memcpy(g->s->public_key, mnl_attr_get_payload(a),
			       TG_WG_KEY_LEN);
			g->s->has_public = true;
		}
		break;
	case WGDEVICE_A_PEERS:
		mnl_attr_for_each_nested(p, a) {
			g->err = wg_read_peer(p, g);
			if (g->err)
				return MNL_CB_ERROR;
		}
		break;
	}
	return MNL_CB_OK;
}

int tg_wg_nl_read_dev(const void *nlh, struct tg_wg_state *s)
{
	struct wg_get g = { .s = s };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb, &g) < 0)
		return g.err ? g.err : -EBADMSG;
	return 0;
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	return tg_wg_nl_read_dev(nlh, data);
}

int tg_wg_nl_get(struct tg_wg_nl *w, const char *ifname,
		 struct tg_wg_state *s, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	char buf[128];
	int ret;

	memset(s, 0, sizeof(*s));
	nlh = wg_put_header(buf, w->family, NLM_F_DUMP, ++w->seq,
			    WG_CMD_GET_DEVICE, WG_GENL_VERSION);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	ret = wg_talk(w, nlh, dev_cb, s, err, errlen);
	if (ret)
		tg_wg_state_free(s);
	return ret;
}
