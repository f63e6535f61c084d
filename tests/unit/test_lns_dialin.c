// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LNS (loader/lns/) against the dial-in of a real client recorded with
 * tungate as the LNS (tests/lns/capture/, see its README.md): Debian's
 * xl2tpd and pppd, once with CHAP and once with PAP. The client's frames
 * are read from the capture and played at their recorded times, with this
 * LNS's tunnel and session ids written into their headers; what this LNS
 * sends back is checked against what the recorded one sent, byte for byte
 * where nothing random goes into it. The client's answers to what was
 * random there (LCP magic, CHAP challenge) are made again for this LNS's
 * values. Logins are checked as 'tungate run' checks them: alice@exo.cat,
 * password secret, with 100.64.1.2, 2001:db8:1:1::/64 and the delegated
 * 2001:db8:1:100::/56, and the session given the DHCPv6 server DUID the
 * recorded LNS had (its machine's), which the client's Request names.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "lns/tunnel.h"
#include "dialin_capture.h"

#define LNS_IP "192.0.2.1"
#define SENT_MAX 256
#define T0 5000000		/* ms: the LNS's clock at the first frame */

static struct dialin_capture cap;
static struct lns lns;
static struct lns_addr lac;
static uint64_t now;
static uint16_t tid, sid;	/* ours */
static struct {
	uint8_t buf[L2TP_MSG_MAX];
	size_t len;
} sent[SENT_MAX];
static unsigned int n_sent, n_up, n_up6, n_down;
static char last_why[64];
/* The login asked while a datagram was handled, answered after it. */
static struct {
	struct lns_session *s;
	bool ok;
	struct in_addr peer4;
} login;
static uint64_t rng = 0x2545f4914f6cdd1dULL;
/* The recorded LNS's DHCPv6 server DUID, from its Advertise. */
static uint8_t duid[LNS_DUID_MAX];
static size_t duid_len;

static void xmit(void *ctx, const struct lns_addr *to, const uint8_t *buf,
		 size_t len)
{
	ck_assert_uint_lt(n_sent, SENT_MAX);
	ck_assert_int_eq(memcmp(to, &lac, sizeof(lac)), 0);
	memcpy(sent[n_sent].buf, buf, len);
	sent[n_sent].len = len;
	n_sent++;
}

/* As 'tungate run' checks a login against the member alice. */
static void auth(void *ctx, struct lns_session *s,
		 const struct ppp_auth_req *r)
{
	bool ok = !strcmp(r->user, "alice@exo.cat");
	uint8_t md5[16];

	if (r->proto == PPP_PAP) {
		ok = ok && !strcmp(r->password, "secret");
	} else {
		ppp_chap_md5(r->chap_id, "secret", r->challenge, 16, md5);
		ok = ok && !memcmp(md5, r->response, 16);
	}
	login.s = s;
	login.ok = ok;
	inet_pton(AF_INET, "100.64.1.2", &login.peer4);
	inet_pton(AF_INET6, "2001:db8:1:1::", &s->v6.prefix);
	inet_pton(AF_INET6, "2001:db8:1:100::", &s->v6.pd);
	s->v6.pd_len = 56;
	/* The daemon names itself with the same DUID in every session. */
	memcpy(s->v6.duid, duid, duid_len);
	s->v6.duid_len = duid_len;
}

static void ip_up(void *ctx, struct lns_session *s)
{
	n_up++;
}

static void ip6_up(void *ctx, struct lns_session *s)
{
	n_up6++;
}

static void down(void *ctx, struct lns_session *s, const char *why)
{
	n_down++;
	snprintf(last_why, sizeof(last_why), "%s", why);
}

/* xorshift: the ids and challenges differ from the recorded ones. */
static void random_bytes(void *ctx, uint8_t *buf, size_t len)
{
	while (len--) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		*buf++ = (uint8_t)rng;
	}
}

static const struct lns_callbacks cb = {
	.xmit = xmit,
	.auth = auth,
	.ip_up = ip_up,
	.ip6_up = ip6_up,
	.session_down = down,
	.random = random_bytes,
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The DHCPv6 message of type in frame k (IPv6 over PPP, UDP, from port
 * src), its options' end in *end, or NULL.
 */
static const uint8_t *dhcp_msg(unsigned int k, uint16_t src, uint8_t type,
			       const uint8_t **end)
{
	const struct dialin_frame *f = &cap.f[k];
	size_t off = f->udp ? dialin_ppp_offset(f->l2tp, f->len) : 0;
	const uint8_t *ip = f->l2tp + off + 4;

	if (!off || off + 4 + 52 > f->len || get16(ip - 2) != PPP_IPV6 ||
	    ip[6] != IPPROTO_UDP || get16(ip + 40) != src || ip[48] != type)
		return NULL;
	*end = f->l2tp + f->len;
	return ip + 48;
}

/* The value of DHCPv6 option code in options [p, end), or NULL. */
static const uint8_t *dhcp_find(const uint8_t *p, const uint8_t *end,
				uint16_t code, uint16_t *len)
{
	while (p + 4 <= end && p + 4 + get16(p + 2) <= end) {
		if (get16(p) == code) {
			*len = get16(p + 2);
			return p + 4;
		}
		p += 4 + get16(p + 2);
	}
	return NULL;
}

/*
 * The recorded LNS's DUID, from the Server Identifier of its Advertise:
 * it comes from the recording machine's id, so it is read, not made. It is
 * the daemon's DUID-UUID (RFC 6355): type 4 and a 16-byte UUID.
 */
static void recorded_duid(void)
{
	const uint8_t *m = NULL, *end = NULL, *v;
	unsigned int k;
	uint16_t len = 0;

	for (k = 1; k <= cap.n && !m; k++)
		if (!cap.f[k].from_lac)
			m = dhcp_msg(k, 547, 2, &end);
	ck_assert_msg(m, "no Advertise in the capture");
	v = dhcp_find(m + 4, end, 2, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 18);
	ck_assert_uint_eq(get16(v), 4);
	memcpy(duid, v, len);
	duid_len = len;
}

/* The LNS as 'tungate run' configures it in tests/lns/vm_client.sh. */
static void start(const char *path)
{
	struct lns_config cfg = {
		.host_name = "lns.exo.test",
		.ppp = { .chap = true, .pap = true, .name = "lns.exo.test" },
	};
	struct sockaddr_in *sin = (struct sockaddr_in *)&lac.ss;
	char err[256] = "";

	ck_assert_msg(!dialin_capture_load(&cap, path, LNS_IP, err,
					   sizeof(err)), "%s", err);
	recorded_duid();
	inet_pton(AF_INET, "100.64.0.1", &cfg.ppp.local4);
	cfg.ppp.local_ifid[7] = 1;
	memset(&lac, 0, sizeof(lac));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(1701);
	inet_pton(AF_INET, "192.0.2.2", &sin->sin_addr);
	lac.len = sizeof(*sin);
	n_sent = n_up = n_up6 = n_down = 0;
	memset(&login, 0, sizeof(login));
	now = T0;
	tid = sid = 0;
	lns_init(&lns, &cfg, &cb, NULL);
}

static void teardown(void)
{
	lns_free(&lns);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * The LNS's timers up to the time of frame k. The recorded LNS counted
 * whole milliseconds of a clock of its own: what it sent on a timer may
 * show up to a millisecond early in the capture's time.
 */
static void until(unsigned int k)
{
	uint64_t t = T0 + cap.f[k].ms + !cap.f[k].from_lac;

	while (lns_deadline(&lns) <= t) {
		now = lns_deadline(&lns) > now ? lns_deadline(&lns) : now;
		lns_tick(&lns, now);
	}
	now = t;
}

/* The client's frame k, or buf in its place, at its time, to our ids. */
static void play_buf(unsigned int k, const uint8_t *l2tp, size_t len)
{
	uint8_t buf[L2TP_MSG_MAX];
	size_t o = get16(l2tp) & L2TP_HDR_L ? 4 : 2;

	ck_assert_msg(cap.f[k].udp && cap.f[k].from_lac,
		      "frame %u is not the client's", k);
	until(k);
	memcpy(buf, l2tp, len);
	if (get16(buf + o))
		put16(buf + o, tid);
	if (get16(buf + o + 2))
		put16(buf + o + 2, sid);
	lns_input(&lns, &lac, buf, len, now);
	if (login.s) {
		lns_auth_done(login.s, login.ok, "welcome", login.peer4, now);
		login.s = NULL;
	}
}

static void play(unsigned int k)
{
	play_buf(k, cap.f[k].l2tp, cap.f[k].len);
}

/* Our i-th datagram from the end (0: the last). */
static const uint8_t *ours(unsigned int i, size_t *len)
{
	ck_assert_uint_gt(n_sent, i);
	*len = sent[n_sent - 1 - i].len;
	return sent[n_sent - 1 - i].buf;
}

/*
 * Our i-th datagram from the end is the recorded LNS's frame k, except for
 * the bytes at [a, a + an) and [b, b + bn) (random there and here).
 */
static void like(unsigned int i, unsigned int k, size_t a, size_t an,
		 size_t b, size_t bn)
{
	uint8_t x[L2TP_MSG_MAX], y[L2TP_MSG_MAX];
	size_t n;
	const uint8_t *o = ours(i, &n);

	ck_assert_msg(cap.f[k].udp && !cap.f[k].from_lac,
		      "frame %u is not the LNS's", k);
	ck_assert_msg(n == cap.f[k].len, "frame %u: %zu bytes, ours %zu", k,
		      cap.f[k].len, n);
	memcpy(x, o, n);
	memcpy(y, cap.f[k].l2tp, n);
	ck_assert_uint_le(a + an, n);
	ck_assert_uint_le(b + bn, n);
	memset(x + a, 0, an);
	memset(y + a, 0, an);
	memset(x + b, 0, bn);
	memset(y + b, 0, bn);
	ck_assert_msg(!memcmp(x, y, n), "frame %u differs from ours", k);
}

/* The same, every byte. */
static void same(unsigned int i, unsigned int k)
{
	like(i, k, 0, 0, 0, 0);
}

static struct l2tp_msg decoded(unsigned int i)
{
	struct l2tp_msg m;
	size_t n;
	const uint8_t *o = ours(i, &n);

	ck_assert_int_eq(l2tp_msg_decode(o, n, NULL, &m), L2TP_E_NONE);
	return m;
}

/* Offsets in our data messages: no L, S or O bit, then ff03. */
#define PPP_AT 6		/* ff03, protocol, packet */
#define PKT_AT 10		/* the packet: code, id, length, data */

/* Where the option of type opt is in our LCP Configure-Request. */
static size_t lcp_opt(const uint8_t *b, size_t n, uint8_t opt)
{
	size_t o = PKT_AT + 4;

	while (o + 2 <= n && b[o + 1] >= 2) {
		if (b[o] == opt)
			return o;
		o += b[o + 1];
	}
	ck_abort_msg("no LCP option %u", opt);
	return 0;
}

/* Where the value of AVP avp starts in our last control message. */
static size_t avp_at(uint16_t avp)
{
	size_t o = 12, n;
	const uint8_t *b = ours(0, &n);

	while (o + 6 <= n && (get16(b + o) & L2TP_AVP_LEN) >= 6) {
		if (!get16(b + o + 2) && get16(b + o + 4) == avp)
			return o + 6;
		o += get16(b + o) & L2TP_AVP_LEN;
	}
	ck_abort_msg("no AVP %u", avp);
	return 0;
}

/* Where the magic number is in our last LCP Configure-Request. */
static size_t magic_at(void)
{
	size_t n;
	const uint8_t *b = ours(0, &n);

	return lcp_opt(b, n, LCP_MAGIC) + 2;
}

/* Our last Configure-Request of proto, acked by the client in frame k. */
static void ack_ours(unsigned int k, uint16_t proto)
{
	uint8_t buf[L2TP_MSG_MAX];
	size_t off = dialin_ppp_offset(cap.f[k].l2tp, cap.f[k].len);
	const uint8_t *c = cap.f[k].l2tp + off;
	unsigned int i;

	/* The client's frame is an Ack, of a request as long as ours. */
	ck_assert_uint_ne(off, 0);
	ck_assert_uint_eq(get16(c + 2), proto);
	ck_assert_uint_eq(c[4], PPP_CONFACK);
	for (i = 0; i < n_sent; i++) {
		size_t n;
		const uint8_t *o = ours(i, &n);

		if ((o[0] & 0x80) || get16(o + 8) != proto ||
		    o[PKT_AT] != PPP_CONFREQ)
			continue;
		ck_assert_uint_eq(n - PPP_AT, cap.f[k].len - off);
		memcpy(buf, cap.f[k].l2tp, off);
		memcpy(buf + off, o + PPP_AT, n - PPP_AT);
		buf[off + 4] = PPP_CONFACK;
		play_buf(k, buf, off + n - PPP_AT);
		return;
	}
	ck_abort_msg("no Configure-Request of 0x%04x sent", proto);
}

/* The client's CHAP Response of frame k, made for our challenge. */
static void chap_response(unsigned int k)
{
	uint8_t buf[L2TP_MSG_MAX];
	size_t off = dialin_ppp_offset(cap.f[k].l2tp, cap.f[k].len), n;
	const uint8_t *chal = ours(0, &n) + PKT_AT;
	uint8_t *r;

	ck_assert_uint_eq(get16(cap.f[k].l2tp + off + 2), PPP_CHAP);
	ck_assert_uint_eq(chal[0], 1);			/* Challenge */
	ck_assert_uint_eq(chal[4], 16);
	memcpy(buf, cap.f[k].l2tp, cap.f[k].len);
	r = buf + off + 4;
	ck_assert_uint_eq(r[0], 2);			/* Response */
	ck_assert_uint_eq(r[4], 16);
	ck_assert_mem_eq(r + 5 + 16, "alice@exo.cat", 13);
	r[1] = chal[1];
	ppp_chap_md5(chal[1], "secret", chal + 5, 16, r + 5);
	play_buf(k, buf, cap.f[k].len);
}

static struct lns_session *session(void)
{
	struct lns_tunnel *t = lns_tunnel_by_id(&lns, tid);
	struct lns_session *s = t ? lns_session_by_id(t, sid) : NULL;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(s->ppp);
	return s;
}

/* The value of DHCPv6 option code in our last datagram, or NULL. */
static const uint8_t *dhcp_opt(uint16_t code, uint16_t *len)
{
	size_t n;
	const uint8_t *o = ours(0, &n);

	return dhcp_find(o + PKT_AT + 52, o + n, code, len);
}

/* Our DHCPv6 answer of type to the client's message in frame k. */
static void dhcp_answer(unsigned int k, uint8_t type)
{
	size_t off = dialin_ppp_offset(cap.f[k].l2tp, cap.f[k].len), n;
	const uint8_t *c = cap.f[k].l2tp + off + 4, *o, *v;
	struct in6_addr pd;
	uint16_t len;

	o = ours(0, &n) + PKT_AT;
	ck_assert_uint_eq(get16(o - 2), PPP_IPV6);
	ck_assert_uint_eq(o[6], IPPROTO_UDP);
	ck_assert_mem_eq(o + 24, c + 8, 16);		/* to the client */
	ck_assert_uint_eq(o[48], type);
	ck_assert_mem_eq(o + 49, c + 49, 3);		/* transaction id */
	v = dhcp_opt(1, &len);				/* client id */
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 10);
	ck_assert_mem_eq(v, "\x00\x03\x00\x01\x02\x00\x00\x00\x00\x02", 10);
	v = dhcp_opt(2, &len);				/* server id */
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, duid_len);
	ck_assert_mem_eq(v, duid, duid_len);
	v = dhcp_opt(25, &len);				/* IA_PD */
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(get16(v + 12), 26);		/* IAPREFIX */
	ck_assert_uint_eq(v[24], 56);
	inet_pton(AF_INET6, "2001:db8:1:100::", &pd);
	ck_assert_mem_eq(v + 25, &pd, 16);
}

/* Client frames from..to: IP for the data plane, counted, not answered. */
static void data_plane(unsigned int from, unsigned int to)
{
	uint64_t ip = lns.data_ip;
	unsigned int k, n = 0;

	for (k = from; k <= to; k++) {
		if (!cap.f[k].from_lac)
			continue;
		play(k);
		n++;
	}
	ck_assert_uint_eq(lns.data_ip, ip + n);
}

/* Frames 1-8 of the n: the tunnel, the call and our first LCP request. */
static void tunnel_and_call(unsigned int n)
{
	struct l2tp_msg m, r;

	ck_assert_uint_eq(cap.n, n);
	play(1);				/* SCCRQ */
	m = decoded(0);
	ck_assert_uint_eq(l2tp_msg_decode(cap.f[2].l2tp, cap.f[2].len, NULL,
					  &r), L2TP_E_NONE);
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRP);
	ck_assert_uint_eq(m.hdr.tunnel, r.hdr.tunnel);	/* the client's */
	ck_assert_uint_eq(m.hdr.nr, 1);
	ck_assert_str_eq(m.host_name, r.host_name);
	ck_assert_uint_eq(m.framing_caps, r.framing_caps);
	ck_assert_uint_eq(m.rws, r.rws);
	tid = m.tunnel_id;
	ck_assert_uint_ne(tid, 0);
	/* Our tunnel id, where the recorded one had its own. */
	like(0, 2, avp_at(L2TP_AVP_TUNNEL_ID), 2, 0, 0);

	play(3);				/* SCCCN */
	ck_assert_uint_eq(lns_tunnel_by_id(&lns, tid)->state,
			  LNS_TUN_ESTABLISHED);
	play(4);				/* ICRQ */
	m = decoded(0);
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRP);
	sid = m.session_id;
	ck_assert_uint_ne(sid, 0);
	like(0, 5, avp_at(L2TP_AVP_SESSION_ID), 2, 0, 0);
	play(6);				/* ICCN: LCP starts */
	ck_assert_uint_eq(session()->state, LNS_SESS_ESTABLISHED);
	ck_assert_uint_eq(lns.n_sessions, 1);
	like(0, 7, magic_at(), 4, 0, 0);	/* our magic number */
	until(8);
	same(0, 8);				/* ZLB acking ICCN */
}

/* Frames 9-11: the client's LCP request acked; ours again at 3 s. */
static void lcp_requests(void)
{
	size_t n;

	play(9);
	same(0, 10);
	n = n_sent;
	until(12);
	ck_assert_uint_eq(n_sent, n + 1);
	like(0, 11, magic_at(), 4, 0, 0);
}

/* Whether the client's frame k is a Router Solicitation. */
static bool is_rs(unsigned int k)
{
	const struct dialin_frame *f = &cap.f[k];
	size_t off = f->udp && f->from_lac ?
		     dialin_ppp_offset(f->l2tp, f->len) : 0;
	const uint8_t *ip = f->l2tp + off + 4;

	return off && off + 4 + 41 <= f->len && get16(ip - 2) == PPP_IPV6 &&
	       ip[6] == IPPROTO_ICMPV6 && ip[40] == 133;
}

/* The client's Request in frame k names the server DUID we answer with. */
static void request_names_us(unsigned int k)
{
	const uint8_t *m, *end, *v;
	uint16_t len;

	ck_assert(cap.f[k].from_lac);
	m = dhcp_msg(k, 546, 3, &end);
	ck_assert_msg(m, "frame %u is not a DHCPv6 Request", k);
	v = dhcp_find(m + 4, end, 2, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, duid_len);
	ck_assert_mem_eq(v, duid, duid_len);
}

/* From IPCP and IPv6CP up (frame first) to the end of the capture. */
static void network_and_hang_up(unsigned int first)
{
	struct lns_session *s = session();
	unsigned int k = first;

	/* Our IPCP and IPv6CP requests went with the login's answer. */
	same(1, k - 2);
	same(0, k - 1);
	play(k);				/* IPCP: 0.0.0.0 */
	same(0, k + 1);				/* Nak: 100.64.1.2 */
	play(k + 2);				/* IPv6CP request */
	same(0, k + 3);
	ack_ours(k + 4, PPP_IPCP);
	ack_ours(k + 5, PPP_IPV6CP);
	ck_assert_uint_eq(s->ppp->ipv6cp.state, PPP_OPENED);
	ck_assert_uint_eq(n_up6, 1);
	same(0, k + 6);				/* RA to ff02::1 */
	play(k + 7);				/* IPCP: 100.64.1.2 */
	same(0, k + 8);
	ck_assert_uint_eq(s->ppp->ipcp.state, PPP_OPENED);
	ck_assert_uint_eq(n_up, 1);
	ck_assert_str_eq(inet_ntoa(s->ppp->peer4), "100.64.1.2");
	play(k + 9);				/* RS */
	same(0, k + 10);			/* RA to its link-local */
	k += 11;

	/* IPv4 pings: the data plane's. */
	data_plane(k, k + 5);
	k += 6;
	/*
	 * dhcpcd may solicit again before DHCPv6, as its timers and the
	 * guest's pace fall: an RS in some recordings, not in others.
	 */
	if (is_rs(k)) {
		play(k);
		same(0, k + 1);			/* RA to its link-local */
		k += 2;
	}
	/* DHCPv6 PD; the Request names the server of the Advertise. */
	play(k);				/* Solicit */
	dhcp_answer(k, 2);			/* Advertise */
	request_names_us(k + 2);
	play(k + 2);				/* Request */
	dhcp_answer(k + 2, 7);			/* Reply */
	k += 4;
	/* IPv6 pings, from the /64 and from the delegated prefix. */
	data_plane(k, k + 11);
	k += 12;
	ck_assert_uint_eq(lns.v6_bad, 0);
	ck_assert_uint_eq(lns.data_unknown + lns.data_bad, 0);

	/*
	 * Our LCP echo when the hang-up comes after it; else, as the
	 * recorded LNS, nothing sent up to the hang-up.
	 */
	if (!cap.f[k].from_lac) {
		until(k + 1);
		like(0, k, PKT_AT + 1, 1, PKT_AT + 4, 4);
		k++;
	} else {
		unsigned int n = n_sent;

		until(k);
		ck_assert_uint_eq(n_sent, n);
	}
	play(k);				/* LCP Terminate-Request */
	same(0, k + 1);
	ck_assert_uint_eq(n_down, 0);
	play(k + 2);				/* CDN */
	ck_assert_uint_eq(n_down, 1);
	ck_assert_str_eq(last_why, "CDN from the LAC");
	ck_assert_uint_eq(lns.n_sessions, 0);
	until(k + 3);
	same(0, k + 3);				/* ZLB */
	play(k + 4);				/* StopCCN */
	ck_assert_uint_eq(lns_tunnel_by_id(&lns, tid)->state, LNS_TUN_CLOSING);
	until(k + 5);
	same(0, k + 5);				/* ZLB */
	/* The client's port is closed by then (ICMP): nothing more. */
	ck_assert(!cap.f[k + 6].udp);
	ck_assert_uint_eq(k + 6, cap.n);
	now += LNS_LINGER_MS;
	lns_tick(&lns, now);
	ck_assert_uint_eq(lns.n_tunnels, 0);
	ck_assert_uint_eq(lns.unknown_tunnel, 0);
}

START_TEST(test_chap_capture)
{
	struct lns_session *s;

	start("tests/lns/capture/tungate-chap.pcap");
	tunnel_and_call(57);
	lcp_requests();
	ack_ours(12, PPP_LCP);
	s = session();
	ck_assert_uint_eq(s->ppp->lcp.state, PPP_OPENED);
	/* The challenge: our id and value, the rest as recorded. */
	like(0, 13, PKT_AT + 1, 1, PKT_AT + 5, 16);
	chap_response(14);
	ck_assert_uint_eq(s->ppp->phase, PPP_PHASE_NETWORK);
	ck_assert_str_eq(s->ppp->user, "alice@exo.cat");
	like(2, 15, PKT_AT + 1, 1, 0, 0);	/* Success, "welcome" */
	network_and_hang_up(18);
}
END_TEST

START_TEST(test_pap_capture)
{
	struct lns_session *s;
	uint8_t buf[L2TP_MSG_MAX];
	size_t n, off;

	start("tests/lns/capture/tungate-pap.pcap");
	tunnel_and_call(58);
	lcp_requests();
	/* pppd refuses CHAP: its Nak asks for PAP, which we ask next. */
	off = dialin_ppp_offset(cap.f[12].l2tp, cap.f[12].len);
	memcpy(buf, cap.f[12].l2tp, cap.f[12].len);
	ck_assert_uint_eq(buf[off + 4], PPP_CONFNAK);
	buf[off + 5] = ours(0, &n)[PKT_AT + 1];
	play_buf(12, buf, cap.f[12].len);
	like(0, 13, magic_at(), 4, 0, 0);
	ck_assert_uint_eq(session()->ppp->auth_proto, PPP_PAP);
	ack_ours(14, PPP_LCP);
	s = session();
	ck_assert_uint_eq(s->ppp->lcp.state, PPP_OPENED);
	play(15);				/* Authenticate-Request */
	ck_assert_uint_eq(s->ppp->phase, PPP_PHASE_NETWORK);
	ck_assert_str_eq(s->ppp->user, "alice@exo.cat");
	same(2, 16);				/* Authenticate-Ack */
	network_and_hang_up(19);
}
END_TEST

Suite *lns_dialin_suite(void)
{
	Suite *s = suite_create("lns_dialin");
	TCase *tc = tcase_create("dialin");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_chap_capture);
	tcase_add_test(tc, test_pap_capture);
	suite_add_tcase(s, tc);
	return s;
}
