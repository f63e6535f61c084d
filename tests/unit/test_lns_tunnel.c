// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LNS's tunnels and sessions (loader/lns/tunnel.c) against a real
 * LAC's messages: the control messages xl2tpd sent in the dial-in capture
 * are played, with the ids this LNS assigned written into their headers,
 * and every answer is decoded and checked. Then tunnel authentication,
 * a silent peer, unknown mandatory AVPs, spoofed and malformed datagrams,
 * and many tunnels with many sessions.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "lns/tunnel.h"
#include "fuzz.h"
#include "l2tp_capture.h"

#define OUT_MAX 256

static struct {
	struct lns_addr to;
	struct l2tp_msg m;
	enum l2tp_err err;
} out[OUT_MAX];
static unsigned int n_out;
static unsigned int n_data, n_down, n_ip;
#define DATA_LOG 64
static struct {
	uint8_t buf[L2TP_MSG_MAX];
	size_t len;
} data_log[DATA_LOG];			/* data messages sent, in a ring */
#define data_out (data_log[(n_data - 1) % DATA_LOG].buf)
#define data_len (data_log[(n_data - 1) % DATA_LOG].len)
static char last_why[64];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t now;
static struct lns lns;
static struct lns_addr lac;
static const struct l2tp_secret sec = { (const uint8_t *)"tunnel-secret", 13 };

static void xmit(void *ctx, const struct lns_addr *to, const uint8_t *buf,
		 size_t len)
{
	/* Data messages (PPP) are counted; control ones kept and decoded. */
	if (!(buf[0] & 0x80)) {
		memcpy(data_log[n_data % DATA_LOG].buf, buf, len);
		data_log[n_data % DATA_LOG].len = len;
		n_data++;
		return;
	}
	ck_assert_uint_lt(n_out, OUT_MAX);
	out[n_out].to = *to;
	out[n_out].err = l2tp_msg_decode(buf, len, &sec, &out[n_out].m);
	n_out++;
}

/* alice@exo.cat with "secret" by CHAP-MD5 gets 100.64.1.2. */
static void auth(void *ctx, struct lns_session *s,
		 const struct ppp_auth_req *r)
{
	struct in_addr a;
	uint8_t md5[16];

	ppp_chap_md5(r->chap_id, "secret", r->challenge, 16, md5);
	inet_pton(AF_INET, "100.64.1.2", &a);
	inet_pton(AF_INET6, "2001:db8:64::", &s->v6.prefix);
	lns_auth_done(s, !strcmp(r->user, "alice@exo.cat") &&
			 !memcmp(md5, r->response, 16), "", a, now);
}

static void ip_up(void *ctx, struct lns_session *s)
{
	n_ip++;
}

static void down(void *ctx, struct lns_session *s, const char *why)
{
	n_down++;
	snprintf(last_why, sizeof(last_why), "%s", why);
}

static void random_bytes(void *ctx, uint8_t *buf, size_t len)
{
	random_fill(&rng, buf, len);
}

static const struct lns_callbacks cb = {
	.xmit = xmit,
	.auth = auth,
	.ip_up = ip_up,
	.session_down = down,
	.random = random_bytes,
};

static struct lns_addr addr4(const char *ip, uint16_t port)
{
	struct lns_addr a;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;

	memset(&a, 0, sizeof(a));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	a.len = sizeof(*sin);
	return a;
}

static void start(const uint8_t *secret, size_t secret_len)
{
	struct lns_config cfg = {
		.host_name = "lns.tungate.test",
		.ppp = { .chap = true, .name = "lns.tungate.test" },
	};

	if (secret_len)
		memcpy(cfg.secret, secret, secret_len);
	cfg.secret_len = secret_len;
	n_out = n_data = n_down = n_ip = 0;
	inet_pton(AF_INET, "100.64.0.1", &cfg.ppp.local4);
	now = 5000000;
	lac = addr4("192.0.2.2", 1701);
	lns_init(&lns, &cfg, &cb, NULL);
}

static void setup(void)
{
	start(NULL, 0);
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

/* A captured message with this LNS's tunnel and session ids in its header. */
static void play(const char *hex, uint16_t tunnel, uint16_t session)
{
	uint8_t buf[L2TP_MSG_MAX];
	size_t n = load(hex, buf);

	if (tunnel)
		put16(buf + 4, tunnel);
	if (session)
		put16(buf + 6, session);
	lns_input(&lns, &lac, buf, n, now);
}

/* The session with our ids, its PPP started. */
static struct lns_session *ppp_session(uint16_t tid, uint16_t sid)
{
	struct lns_tunnel *t = lns_tunnel_by_id(&lns, tid);
	struct lns_session *s = t ? lns_session_by_id(t, sid) : NULL;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(s->ppp);
	return s;
}

static const struct l2tp_msg *last(void)
{
	ck_assert_uint_gt(n_out, 0);
	ck_assert_int_eq(out[n_out - 1].err, L2TP_E_NONE);
	return &out[n_out - 1].m;
}

/* The capture's LAC from SCCRQ to StopCCN, against this LNS. */
START_TEST(test_dialin_capture)
{
	const struct l2tp_msg *m;
	uint16_t tid, sid;

	play(SCCRQ, 0, 0);
	m = last();
	ck_assert_uint_eq(m->type, L2TP_MSG_SCCRP);
	ck_assert_uint_eq(m->hdr.tunnel, 38541);
	ck_assert_uint_eq(m->hdr.ns, 0);
	ck_assert_uint_eq(m->hdr.nr, 1);
	ck_assert_uint_eq(m->proto_version, 0x0100);
	ck_assert_str_eq(m->host_name, "lns.tungate.test");
	ck_assert_uint_eq(m->rws, L2TP_RWS_OURS);
	ck_assert(!l2tp_msg_has(m, L2TP_AVP_CHALLENGE));
	tid = m->tunnel_id;
	ck_assert_uint_ne(tid, 0);
	ck_assert_ptr_nonnull(lns_tunnel_by_id(&lns, tid));
	ck_assert_int_eq(memcmp(&out[0].to, &lac, sizeof(lac)), 0);

	/* The SCCRQ again (as if SCCRP was lost): same tunnel, a ZLB. */
	play(SCCRQ, 0, 0);
	ck_assert_uint_eq(lns.n_tunnels, 1);
	ck_assert_uint_eq(last()->type, L2TP_MSG_ZLB);

	play(SCCCN, tid, 0);
	ck_assert_uint_eq(lns_tunnel_by_id(&lns, tid)->state,
			  LNS_TUN_ESTABLISHED);
	n_out = 0;
	now += L2TP_ACK_DELAY_MS;
	lns_tick(&lns, now);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_uint_eq(last()->type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(last()->hdr.nr, 2);

	play(ICRQ, tid, 0);
	m = last();
	ck_assert_uint_eq(m->type, L2TP_MSG_ICRP);
	ck_assert_uint_eq(m->hdr.session, 0x040c);
	ck_assert_uint_eq(m->hdr.ns, 1);
	sid = m->session_id;
	ck_assert_uint_ne(sid, 0);
	ck_assert_uint_eq(n_data, 0);

	/* ICCN: PPP starts, LCP's Configure-Request goes as data. */
	play(ICCN, tid, sid);
	ck_assert_uint_eq(n_data, 1);
	ck_assert_uint_eq(ppp_session(tid, sid)->peer_id, 0x040c);
	ck_assert_uint_eq(lns.n_sessions, 1);

	play(CDN, tid, sid);
	ck_assert_uint_eq(n_down, 1);
	ck_assert_str_eq(last_why, "CDN from the LAC");
	ck_assert_uint_eq(lns.n_sessions, 0);

	play(STOPCCN, tid, 0);
	ck_assert_uint_eq(lns_tunnel_by_id(&lns, tid)->state, LNS_TUN_CLOSING);
	/* Kept to ack a retransmitted StopCCN, then freed. */
	n_out = 0;
	play(STOPCCN, tid, 0);
	ck_assert_uint_eq(last()->type, L2TP_MSG_ZLB);
	now += LNS_LINGER_MS;
	lns_tick(&lns, now);
	ck_assert_uint_eq(lns.n_tunnels, 0);
	ck_assert_uint_eq(lns.unknown_tunnel, 0);
}
END_TEST

/* A PPP frame (hex from ff03 on) in a data message of our session. */
static void data(uint16_t tid, uint16_t sid, const char *hex)
{
	uint8_t buf[L2TP_MSG_MAX];
	size_t n = load(hex, buf + 6);

	put16(buf, 0x0002);
	put16(buf + 2, tid);
	put16(buf + 4, sid);
	lns_input(&lns, &lac, buf, 6 + n, now);
}

static void data_raw(uint16_t tid, uint16_t sid, const uint8_t *b, size_t n);

/* The member acks our last Configure-Request of proto, sent as data. */
static void ack_data(uint16_t tid, uint16_t sid, uint16_t proto)
{
	uint8_t frame[PPP_MTU_MAX];
	unsigned int i = n_data;

	while (i-- && n_data - i <= DATA_LOG) {
		const uint8_t *b = data_log[i % DATA_LOG].buf;
		size_t n = data_log[i % DATA_LOG].len - 6;

		if ((b[8] << 8 | b[9]) != proto || b[10] != PPP_CONFREQ)
			continue;
		memcpy(frame, b + 6, n);
		frame[4] = PPP_CONFACK;
		data_raw(tid, sid, frame, n);
		return;
	}
	ck_abort_msg("no Configure-Request of 0x%04x sent", proto);
}

/* The same, from bytes. */
static void data_raw(uint16_t tid, uint16_t sid, const uint8_t *b, size_t n)
{
	uint8_t buf[L2TP_MSG_MAX];

	put16(buf, 0x0002);
	put16(buf + 2, tid);
	put16(buf + 4, sid);
	memcpy(buf + 6, b, n);
	lns_input(&lns, &lac, buf, 6 + n, now);
}

/*
 * The captured member from SCCRQ to IPCP up, PPP frames included: pppd's
 * LCP request and IPCP frames as captured; our LCP request acked as sent;
 * the CHAP response computed for our challenge with pppd's password.
 */
START_TEST(test_dialin_ppp)
{
	uint8_t frame[PPP_MTU_MAX];
	struct lns_session *s;
	uint16_t tid, sid;
	size_t n;

	play(SCCRQ, 0, 0);
	tid = last()->tunnel_id;
	play(SCCCN, tid, 0);
	play(ICRQ, tid, 0);
	sid = last()->session_id;
	play(ICCN, tid, sid);
	s = ppp_session(tid, sid);

	/* Our data messages go to the LAC's ids, with ff03 and LCP. */
	ck_assert_uint_eq(data_out[0] << 8 | data_out[1], 0x0002);
	ck_assert_uint_eq(data_out[2] << 8 | data_out[3], 38541);
	ck_assert_uint_eq(data_out[4] << 8 | data_out[5], 0x040c);
	ck_assert_uint_eq(data_out[8] << 8 | data_out[9], PPP_LCP);
	n = data_len - 6;
	memcpy(frame, data_out + 6, n);
	data(tid, sid, "ff03c0210101001002060000000005069b156c24");
	ck_assert_uint_eq(data_out[10], PPP_CONFACK);
	frame[4] = PPP_CONFACK;
	data_raw(tid, sid, frame, n);
	ck_assert_uint_eq(s->ppp->lcp.state, PPP_OPENED);

	/* CHAP: the challenge out, pppd's answer in, Success, NCPs ask. */
	ck_assert_uint_eq(data_out[8] << 8 | data_out[9], PPP_CHAP);
	frame[0] = 0xff;
	frame[1] = 0x03;
	frame[2] = 0xc2;
	frame[3] = 0x23;
	frame[4] = 2;
	frame[5] = data_out[11];
	frame[6] = 0;
	frame[7] = 4 + 1 + 16 + 13;
	frame[8] = 16;
	ppp_chap_md5(data_out[11], "secret", data_out + 15, 16, frame + 9);
	memcpy(frame + 25, "alice@exo.cat", 13);
	data_raw(tid, sid, frame, 38);
	ck_assert_uint_eq(s->ppp->phase, PPP_PHASE_NETWORK);

	data(tid, sid, "ff0380210101000a030600000000");
	data(tid, sid, "ff0380210201000a030664400001");
	data(tid, sid, "ff0380210102000a030664400102");
	ck_assert_uint_eq(s->ppp->ipcp.state, PPP_OPENED);
	ck_assert_uint_eq(n_ip, 1);
	ck_assert_str_eq(inet_ntoa(s->ppp->peer4), "100.64.1.2");

	/* IP before the data plane has the session: counted, dropped. */
	data(tid, sid, "ff03002145000014");
	ck_assert_uint_eq(lns.data_ip, 1);

	/* IPv6CP up: an RA at once; pppd's RS (frame 34) gets another. */
	data(tid, sid, "ff0380570101000e010a79cf5a75b79dbab9");
	ack_data(tid, sid, PPP_IPV6CP);
	ck_assert_uint_eq(s->ppp->ipv6cp.state, PPP_OPENED);
	ck_assert_uint_eq(lns.v6_answers, 1);
	ck_assert_uint_eq(data_out[8] << 8 | data_out[9], PPP_IPV6);
	ck_assert_uint_eq(data_out[10 + 40], 134);
	ck_assert_mem_eq(data_out + 10 + 40 + 32, &s->v6.prefix, 8);
	data(tid, sid, "ff030057"
		       "6000000000083afffe800000000000006440010200000000ff02"
		       "0000000000000000000000000002850017f500000000");
	ck_assert_uint_eq(lns.v6_answers, 2);
	ck_assert_uint_eq(data_out[10 + 24], 0xfe);	/* to its link-local */
	ck_assert_uint_eq(data_out[10 + 33], 0x40);
	/* The member hangs up: Terminate-Ack, and after it the CDN. */
	data(tid, sid, "ff03c02105020010557365722072657175657374");
	ck_assert_uint_eq(data_out[10], PPP_TERMACK);
	now += PPP_RESTART_MS;
	lns_tick(&lns, now);
	ck_assert_uint_eq(last()->type, L2TP_MSG_CDN);
	ck_assert_uint_eq(n_down, 1);
	ck_assert_uint_eq(lns.n_sessions, 0);
}
END_TEST

/* A wrong password: CHAP Failure, then the call is cleared. */
START_TEST(test_dialin_wrong_password)
{
	uint8_t frame[64];
	uint16_t tid, sid;
	size_t n;
	unsigned int i;

	play(SCCRQ, 0, 0);
	tid = last()->tunnel_id;
	play(SCCCN, tid, 0);
	play(ICRQ, tid, 0);
	sid = last()->session_id;
	play(ICCN, tid, sid);
	n = data_len - 6;
	memcpy(frame, data_out + 6, n);
	data(tid, sid, "ff03c0210101001002060000000005069b156c24");
	frame[4] = PPP_CONFACK;
	data_raw(tid, sid, frame, n);
	memcpy(frame, "\xff\x03\xc2\x23\x02", 5);
	frame[5] = data_out[11];
	frame[6] = 0;
	frame[7] = 4 + 1 + 16;
	frame[8] = 16;
	ppp_chap_md5(data_out[11], "not the secret", data_out + 15, 16, frame + 9);
	data_raw(tid, sid, frame, 25);
	ck_assert_uint_eq(data_out[8] << 8 | data_out[9], PPP_LCP);
	ck_assert_uint_eq(data_out[10], PPP_TERMREQ);
	for (i = 0; i < 10 && lns.n_sessions; i++) {
		now = lns_deadline(&lns);
		lns_tick(&lns, now);
	}
	ck_assert_uint_eq(lns.n_sessions, 0);
	ck_assert_str_eq(last_why, "authentication failed");
}
END_TEST

/* An SCCRQ of a LAC with its own tunnel id, optionally challenging us. */
static void sccrq(uint16_t peer_tid, const uint8_t *chal, size_t chal_len)
{
	static const char host[] = "lac";
	struct l2tp_builder b;
	int len;

	l2tp_build_init(&b, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_build_u16(&b, true, L2TP_AVP_PROTO_VERSION, 0x0100);
	l2tp_build_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_build_avp(&b, true, L2TP_AVP_HOST_NAME, host, strlen(host));
	l2tp_build_u16(&b, true, L2TP_AVP_TUNNEL_ID, peer_tid);
	if (chal)
		l2tp_build_avp(&b, true, L2TP_AVP_CHALLENGE, chal, chal_len);
	len = l2tp_build_finish(&b, 0, 0);
	lns_input(&lns, &lac, b.buf, (size_t)len, now);
}

/* A message of type on tunnel tid (session sid) with Ns, Nr. */
static void msg(uint16_t tid, uint16_t sid, uint16_t type, uint16_t ns,
		uint16_t nr, const uint8_t *resp)
{
	struct l2tp_builder b;
	int len;

	l2tp_build_init(&b, tid, sid, type);
	if (type == L2TP_MSG_ICRQ) {
		l2tp_build_u16(&b, true, L2TP_AVP_SESSION_ID, (uint16_t)(ns + 100));
		l2tp_build_u32(&b, true, L2TP_AVP_CALL_SERIAL, ns);
	}
	if (type == L2TP_MSG_ICCN) {
		l2tp_build_u32(&b, true, L2TP_AVP_TX_SPEED, 100000000);
		l2tp_build_u32(&b, true, L2TP_AVP_FRAMING_TYPE, 1);
	}
	if (resp)
		l2tp_build_avp(&b, true, L2TP_AVP_CHALLENGE_RESP, resp, 16);
	len = l2tp_build_finish(&b, ns, nr);
	lns_input(&lns, &lac, b.buf, (size_t)len, now);
}

START_TEST(test_tunnel_auth)
{
	static const uint8_t chal[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const struct l2tp_msg *m;
	uint8_t want[16];
	uint16_t tid;

	lns_free(&lns);
	start(sec.secret, sec.len);
	sccrq(7, chal, sizeof(chal));
	m = last();
	ck_assert_uint_eq(m->type, L2TP_MSG_SCCRP);
	l2tp_challenge_response(L2TP_MSG_SCCRP, &sec, chal, sizeof(chal), want);
	ck_assert_mem_eq(m->challenge_resp, want, 16);
	ck_assert_uint_eq(m->challenge_len, 16);
	tid = m->tunnel_id;
	/* Our challenge answered right: established. */
	l2tp_challenge_response(L2TP_MSG_SCCCN, &sec, m->challenge,
				m->challenge_len, want);
	msg(tid, 0, L2TP_MSG_SCCCN, 1, 1, want);
	ck_assert_uint_eq(lns_tunnel_by_id(&lns, tid)->state,
			  LNS_TUN_ESTABLISHED);

	/* Answered wrong, or not at all: StopCCN, not authorized. */
	sccrq(8, NULL, 0);
	m = last();
	ck_assert(l2tp_msg_has(m, L2TP_AVP_CHALLENGE));
	tid = m->tunnel_id;
	want[0] ^= 1;
	msg(tid, 0, L2TP_MSG_SCCCN, 1, 1, want);
	m = last();
	ck_assert_uint_eq(m->type, L2TP_MSG_StopCCN);
	ck_assert_uint_eq(m->result, LNS_STOP_NOT_AUTH);
	ck_assert_uint_eq(lns.not_authorized, 1);
	sccrq(9, NULL, 0);
	tid = last()->tunnel_id;
	msg(tid, 0, L2TP_MSG_SCCCN, 1, 1, NULL);
	ck_assert_uint_eq(last()->result, LNS_STOP_NOT_AUTH);
	ck_assert_uint_eq(lns.not_authorized, 2);
}
END_TEST

START_TEST(test_challenge_without_secret)
{
	static const uint8_t chal[16] = { 1 };

	sccrq(7, chal, sizeof(chal));
	ck_assert_uint_eq(last()->type, L2TP_MSG_StopCCN);
	ck_assert_uint_eq(last()->result, LNS_STOP_NOT_AUTH);
}
END_TEST

/* An established tunnel with one established session; its id. */
static uint16_t established(uint16_t peer_tid)
{
	uint16_t tid, sid;

	sccrq(peer_tid, NULL, 0);
	tid = last()->tunnel_id;
	msg(tid, 0, L2TP_MSG_SCCCN, 1, 1, NULL);
	msg(tid, 0, L2TP_MSG_ICRQ, 2, 1, NULL);
	sid = last()->session_id;
	ck_assert_uint_eq(last()->type, L2TP_MSG_ICRP);
	msg(tid, sid, L2TP_MSG_ICCN, 3, 2, NULL);
	ppp_session(tid, sid);
	return tid;
}

START_TEST(test_silent_peer)
{
	unsigned int hellos = 0, i;
	uint16_t tid;

	sccrq(7, NULL, 0);
	tid = last()->tunnel_id;
	msg(tid, 0, L2TP_MSG_SCCCN, 1, 1, NULL);
	n_out = 0;
	now += LNS_HELLO_MS;
	for (i = 0; i < 100 && lns.n_tunnels; i++) {
		lns_tick(&lns, now);
		now = lns_deadline(&lns);
	}
	for (i = 0; i < n_out; i++)
		hellos += out[i].m.type == L2TP_MSG_HELLO;
	/* One HELLO, sent L2TP_RETRIES more times, then given up. */
	ck_assert_uint_eq(hellos, 1 + L2TP_RETRIES);
	ck_assert_ptr_null(lns_tunnel_by_id(&lns, tid));
	ck_assert_uint_eq(lns.timeouts, 1);
}
END_TEST

/* A member whose PPP never answers: LCP gives up, the call is cleared. */
START_TEST(test_ppp_gives_up)
{
	uint16_t tid = established(7);
	unsigned int i;

	for (i = 0; i < 100 && lns.n_sessions; i++) {
		now = lns_deadline(&lns);
		lns_tick(&lns, now);
	}
	ck_assert_uint_eq(lns.n_sessions, 0);
	ck_assert_uint_eq(last()->type, L2TP_MSG_CDN);
	ck_assert_uint_eq(last()->result, LNS_CDN_ADMIN);
	ck_assert_uint_eq(n_down, 1);
	ck_assert_str_eq(last_why, "LCP negotiation failed");
	ck_assert_uint_eq(n_data, PPP_MAX_CONFIGURE);
	ck_assert_ptr_nonnull(lns_tunnel_by_id(&lns, tid));
}
END_TEST

START_TEST(test_hello_answered)
{
	uint16_t tid = established(7);
	unsigned int n;

	now += LNS_HELLO_MS;
	lns_tick(&lns, now);
	ck_assert_uint_eq(last()->type, L2TP_MSG_HELLO);
	n = n_out;
	/* The LAC's ZLB acks it: nothing more until the next interval. */
	msg(tid, 0, L2TP_MSG_ZLB, 4, 3, NULL);
	now += LNS_HELLO_MS - 1;
	lns_tick(&lns, now);
	ck_assert_uint_eq(n_out, n);
	ck_assert_uint_eq(lns.n_tunnels, 1);
	/* The LAC's HELLO is acked by a ZLB. */
	msg(tid, 0, L2TP_MSG_HELLO, 4, 3, NULL);
	now += L2TP_ACK_DELAY_MS;
	lns_tick(&lns, now);
	ck_assert_uint_eq(last()->type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(last()->hdr.nr, 5);
}
END_TEST

/* msg() with one more AVP: vendor 9, type 1, M bit. */
static void msg_unknown(uint16_t tid, uint16_t sid, uint16_t type,
			uint16_t ns, uint16_t nr)
{
	static const uint8_t avp[] = { 0x80, 0x08, 0x00, 0x09, 0x00, 0x01, 0, 0 };
	struct l2tp_builder b;
	int len;

	l2tp_build_init(&b, tid, sid, type);
	if (type == L2TP_MSG_ICRQ) {
		l2tp_build_u16(&b, true, L2TP_AVP_SESSION_ID, 55);
		l2tp_build_u32(&b, true, L2TP_AVP_CALL_SERIAL, 9);
	}
	len = l2tp_build_finish(&b, ns, nr);
	memcpy(b.buf + len, avp, sizeof(avp));
	len += sizeof(avp);
	put16(b.buf + 2, (uint16_t)len);
	lns_input(&lns, &lac, b.buf, (size_t)len, now);
}

START_TEST(test_unknown_mandatory)
{
	uint16_t tid = established(7);
	const struct l2tp_msg *m;

	/* In ICRQ: the call is refused with a CDN, the tunnel stays. */
	msg_unknown(tid, 0, L2TP_MSG_ICRQ, 4, 3);
	ck_assert_uint_eq(lns.errors[L2TP_E_UNKNOWN_MANDATORY], 1);
	m = last();
	ck_assert_uint_eq(m->type, L2TP_MSG_CDN);
	ck_assert_uint_eq(m->hdr.session, 55);
	ck_assert_uint_eq(m->error, LNS_ERR_MANDATORY);
	msg(tid, 0, L2TP_MSG_ICRQ, 5, 3, NULL);
	ck_assert_uint_eq(last()->type, L2TP_MSG_ICRP);
	ck_assert_uint_eq(lns_tunnel_by_id(&lns, tid)->state,
			  LNS_TUN_ESTABLISHED);
	/* In a HELLO: the tunnel ends, error code 8. */
	msg_unknown(tid, 0, L2TP_MSG_HELLO, 6, 4);
	m = last();
	ck_assert_uint_eq(m->type, L2TP_MSG_StopCCN);
	ck_assert_uint_eq(m->result, LNS_STOP_ERROR);
	ck_assert_uint_eq(m->error, LNS_ERR_MANDATORY);
	ck_assert_uint_eq(n_down, 1);
}
END_TEST

START_TEST(test_spoofed_and_malformed)
{
	uint16_t tid = established(7);
	struct lns_addr real = lac;
	uint8_t junk[40] = { 0xc8, 0x02, 0x00, 0x28 };

	n_out = 0;
	lac = addr4("198.51.100.9", 1701);
	msg(tid, 0, L2TP_MSG_HELLO, 4, 3, NULL);
	ck_assert_uint_eq(lns.unknown_tunnel, 1);
	lac = real;
	ck_assert_uint_eq(lns_tunnel_by_id(&lns, tid)->state,
			  LNS_TUN_ESTABLISHED);
	/* An unknown tunnel id, then AVP garbage, then a data message. */
	msg(tid ^ 0x8000, 0, L2TP_MSG_HELLO, 4, 3, NULL);
	ck_assert_uint_eq(lns.unknown_tunnel, 2);
	put16(junk + 4, tid);
	memset(junk + 12, 0xff, sizeof(junk) - 12);
	lns_input(&lns, &lac, junk, sizeof(junk), now);
	ck_assert_uint_eq(lns.errors[L2TP_E_AVP_LENGTH], 1);
	junk[0] = 0x40;		/* data, L bit, LCP: no such session */
	junk[8] = 0xff;
	junk[9] = 0x03;
	junk[10] = 0xc0;
	junk[11] = 0x21;
	lns_input(&lns, &lac, junk, sizeof(junk), now);
	ck_assert_uint_eq(lns.data_unknown, 1);
	junk[1] = 0x03;		/* not version 2 */
	lns_input(&lns, &lac, junk, sizeof(junk), now);
	ck_assert_uint_eq(lns.data_bad, 1);
	/* None of it answered, and the tunnel still works. */
	ck_assert_uint_eq(n_out, 0);
	msg(tid, 0, L2TP_MSG_ICRQ, 4, 3, NULL);
	ck_assert_uint_eq(last()->type, L2TP_MSG_ICRP);
	/* Assigned Tunnel ID 0 is refused. */
	sccrq(0, NULL, 0);
	ck_assert_uint_eq(lns.bad_ids, 1);
	ck_assert_uint_eq(lns.n_tunnels, 1);
}
END_TEST

/* 100 LACs, 50 sessions each: ids unique, all torn down by lns_free(). */
START_TEST(test_many)
{
	static uint16_t seen[65536];
	unsigned int i, k;
	char ip[32];

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 100; i++) {
		uint16_t tid, sid;

		snprintf(ip, sizeof(ip), "100.64.%u.%u", i / 200, 1 + i % 200);
		lac = addr4(ip, 1701);
		sccrq(1, NULL, 0);	/* every LAC calls its tunnel 1 */
		tid = last()->tunnel_id;
		ck_assert_uint_eq(seen[tid], 0);
		seen[tid] = 1;
		msg(tid, 0, L2TP_MSG_SCCCN, 1, 1, NULL);
		for (k = 0; k < 50; k++) {
			msg(tid, 0, L2TP_MSG_ICRQ, (uint16_t)(2 + 2 * k),
			    (uint16_t)(1 + k), NULL);
			sid = last()->session_id;
			msg(tid, sid, L2TP_MSG_ICCN, (uint16_t)(3 + 2 * k),
			    (uint16_t)(2 + k), NULL);
			ppp_session(tid, sid);
		}
		n_out = 0;
	}
	ck_assert_uint_eq(lns.n_tunnels, 100);
	ck_assert_uint_eq(lns.n_sessions, 5000);
	ck_assert_uint_eq(n_data, 5000);
	lns_free(&lns);
	ck_assert_uint_eq(n_down, 5000);
	ck_assert_uint_eq(lns.n_tunnels, 0);
}
END_TEST

Suite *lns_tunnel_suite(void)
{
	Suite *s = suite_create("lns_tunnel");
	TCase *tc = tcase_create("tunnel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dialin_capture);
	tcase_add_test(tc, test_dialin_ppp);
	tcase_add_test(tc, test_dialin_wrong_password);
	tcase_add_test(tc, test_tunnel_auth);
	tcase_add_test(tc, test_challenge_without_secret);
	tcase_add_test(tc, test_silent_peer);
	tcase_add_test(tc, test_ppp_gives_up);
	tcase_add_test(tc, test_hello_answered);
	tcase_add_test(tc, test_unknown_mandatory);
	tcase_add_test(tc, test_spoofed_and_malformed);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}
