// SPDX-License-Identifier: GPL-2.0-only
/*
 * PPP of a dial-in session (loader/lns/ppp*.c, lcp.c, auth.c, ipcp.c)
 * against the frames a real pppd 2.4.9 sent in the dial-in captures:
 * LCP, CHAP-MD5 (its response checked against the captured challenge),
 * PAP, IPCP with the address the login decided and IPv6CP; where this LNS
 * answers as l2tpns did, the answer is byte for byte the captured one.
 * Then echo and dead-peer detection, terminate, refusals, and mutated
 * frames.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lns/ppp.h"
#include "fuzz.h"
#include "l2tp_capture.h"

#define SENT_MAX 128

static struct {
	uint16_t proto;
	uint8_t buf[PPP_MTU_MAX];
	size_t len;
} sent[SENT_MAX];
static unsigned int n_sent;
static struct ppp_auth_req auth_req;
static unsigned int n_auth, n_ip, n_ip6, n_down;
static bool auth_now, auth_ok;
static char down_why[64];
static uint64_t now;
static uint64_t rng = 0x5851f42d4c957f2dULL;
static struct ppp p;

static void send_cb(void *ctx, struct ppp *pp, uint16_t proto,
		    const uint8_t *buf, size_t len)
{
	ck_assert_uint_lt(n_sent, SENT_MAX);
	ck_assert_uint_le(len, PPP_MTU_MAX);
	sent[n_sent].proto = proto;
	memcpy(sent[n_sent].buf, buf, len);
	sent[n_sent].len = len;
	n_sent++;
}

static struct in_addr a4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static void auth_cb(void *ctx, struct ppp *pp, const struct ppp_auth_req *r)
{
	auth_req = *r;
	n_auth++;
	if (auth_now)
		ppp_auth_done(pp, auth_ok, auth_ok ? "" : "wrong password",
			      a4("100.64.1.2"), now);
}

static void ip_up(void *ctx, struct ppp *pp)
{
	n_ip++;
}

static void ip6_up(void *ctx, struct ppp *pp)
{
	n_ip6++;
}

static void down_cb(void *ctx, struct ppp *pp, const char *why)
{
	n_down++;
	snprintf(down_why, sizeof(down_why), "%s", why);
}

static void random_cb(void *ctx, uint8_t *buf, size_t len)
{
	random_fill(&rng, buf, len);
}

static const struct ppp_ops ops = {
	.send = send_cb,
	.auth = auth_cb,
	.ip_up = ip_up,
	.ip6_up = ip6_up,
	.down = down_cb,
	.random = random_cb,
};

static void start(bool pap, bool chap)
{
	struct ppp_config cfg = {
		.pap = pap,
		.chap = chap,
		.name = "lns.tungate.test",
		.local4 = a4("100.64.0.1"),
		.dns4 = { a4("198.51.100.53") },
		.local_ifid = { 0, 0, 0, 0, 0, 0, 0, 1 },
	};

	n_sent = n_auth = n_ip = n_ip6 = n_down = 0;
	auth_now = auth_ok = true;
	down_why[0] = '\0';
	now = 1000;
	ppp_init(&p, &cfg, &ops, NULL);
	ppp_start(&p, now);
}

static void setup(void)
{
	start(false, true);
}

/* A frame as the L2TP data message carried it (hex after the L2TP header). */
static void frame(const char *hex)
{
	uint8_t buf[L2TP_MSG_MAX];
	size_t n = load(hex, buf), len;
	const uint8_t *pkt;
	uint16_t proto;

	ck_assert_int_eq(ppp_frame_parse(buf, n, &proto, &pkt, &len), 0);
	ppp_input(&p, proto, pkt, len, now);
}

/* A packet of proto: code, id, then data. */
static void packet(uint16_t proto, uint8_t code, uint8_t id,
		   const uint8_t *data, size_t len)
{
	uint8_t buf[PPP_MTU_MAX];

	buf[0] = code;
	buf[1] = id;
	buf[2] = (uint8_t)((len + 4) >> 8);
	buf[3] = (uint8_t)(len + 4);
	if (len)
		memcpy(buf + 4, data, len);
	ppp_input(&p, proto, buf, len + 4, now);
}

/* The last packet sent of proto, or fail. */
static const uint8_t *last_of(uint16_t proto, size_t *len)
{
	unsigned int i = n_sent;

	while (i--)
		if (sent[i].proto == proto) {
			*len = sent[i].len;
			return sent[i].buf;
		}
	ck_abort_msg("nothing sent of protocol 0x%04x", proto);
	return NULL;
}

/* Our last Configure-Request of proto. */
static const uint8_t *last_req(uint16_t proto, size_t *len)
{
	unsigned int i = n_sent;

	while (i--)
		if (sent[i].proto == proto && sent[i].buf[0] == PPP_CONFREQ)
			break;
	ck_assert_uint_lt(i, n_sent);
	*len = sent[i].len;
	return sent[i].buf;
}

/* The member acks our last Configure-Request of proto, as sent. */
static void ack_ours(uint16_t proto)
{
	size_t len;
	const uint8_t *req = last_req(proto, &len);

	packet(proto, PPP_CONFACK, req[1], req + 4, len - 4);
}

static void want(uint16_t proto, const char *hex)
{
	uint8_t w[PPP_MTU_MAX];
	size_t n = load(hex, w), len;
	const uint8_t *got = last_of(proto, &len);

	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(got, w, n);
}

/* LCP up with the capture's client: its request acked, ours acked. */
static void lcp_up(void)
{
	size_t len;
	const uint8_t *req = last_req(PPP_LCP, &len);

	/* MRU 1460, CHAP MD5 or PAP, a magic number. */
	ck_assert_uint_eq(req[0], PPP_CONFREQ);
	ck_assert_uint_eq(req[4], LCP_MRU);
	ck_assert_uint_eq(req[6] << 8 | req[7], PPP_MRU_DEFAULT);
	ck_assert_uint_eq(req[8], LCP_AUTH);
	frame("ff03c0210101001002060000000005069b156c24");
	want(PPP_LCP, "0201001002060000000005069b156c24");
	ack_ours(PPP_LCP);
	ck_assert_uint_eq(p.lcp.state, PPP_OPENED);
	ck_assert_uint_eq(p.peer_magic, 0x9b156c24);
}

/* LCP up and the member logged in with CHAP. */
static void logged_in(void)
{
	uint8_t resp[17];
	const uint8_t *chal;
	size_t len;

	lcp_up();
	chal = last_of(PPP_CHAP, &len);
	resp[0] = 16;
	ppp_chap_md5(chal[1], "secret", chal + 5, 16, resp + 1);
	packet(PPP_CHAP, 2, chal[1], resp, sizeof(resp));
	ck_assert_uint_eq(p.phase, PPP_PHASE_NETWORK);
}

START_TEST(test_chap_dialin)
{
	uint8_t resp[1 + 16 + 13], md5[16];
	const uint8_t *chal;
	size_t len;

	lcp_up();
	chal = last_of(PPP_CHAP, &len);
	ck_assert_uint_eq(chal[0], 1);		/* Challenge */
	ck_assert_uint_eq(chal[4], 16);
	ck_assert_uint_eq(len, 4 + 1 + 16 + strlen("lns.tungate.test"));
	ck_assert_mem_eq(chal + 21, "lns.tungate.test", 16);

	/* What pppd computes with password "secret". */
	resp[0] = 16;
	ppp_chap_md5(chal[1], "secret", chal + 5, 16, resp + 1);
	memcpy(resp + 17, "alice@exo.cat", 13);
	packet(PPP_CHAP, 2, chal[1], resp, sizeof(resp));
	ck_assert_uint_eq(n_auth, 1);
	ck_assert_str_eq(auth_req.user, "alice@exo.cat");
	ppp_chap_md5(auth_req.chap_id, "secret", auth_req.challenge, 16, md5);
	ck_assert_mem_eq(md5, auth_req.response, 16);
	/* Success, then both NCPs ask. */
	ck_assert_uint_eq(last_of(PPP_CHAP, &len)[0], 3);
	ck_assert_uint_eq(p.phase, PPP_PHASE_NETWORK);

	/* IPCP: exactly l2tpns's answers (frames 23 and 29 of the capture). */
	want(PPP_IPCP, "0101000a030664400001");
	frame("ff0380210101000a030600000000");
	want(PPP_IPCP, "0301000a030664400102");
	frame("ff0380210201000a030664400001");
	frame("ff0380210102000a030664400102");
	want(PPP_IPCP, "0202000a030664400102");
	ck_assert_uint_eq(p.ipcp.state, PPP_OPENED);
	ck_assert_uint_eq(n_ip, 1);

	/* IPv6CP: the member's own interface id is acked. */
	want(PPP_IPV6CP, "0101000e010a0000000000000001");
	frame("ff0380570101000e010a79cf5a75b79dbab9");
	want(PPP_IPV6CP, "0201000e010a79cf5a75b79dbab9");
	ack_ours(PPP_IPV6CP);
	ck_assert_uint_eq(p.ipv6cp.state, PPP_OPENED);
	ck_assert_uint_eq(n_ip6, 1);

	/* The member hangs up (frame 50): Terminate-Ack, then down. */
	frame("ff03c02105020010557365722072657175657374");
	want(PPP_LCP, "06020004");
	ck_assert_uint_eq(n_down, 0);
	now += PPP_RESTART_MS;
	ppp_tick(&p, now);
	ck_assert_uint_eq(n_down, 1);
	ck_assert_str_eq(down_why, "LCP negotiation failed");
}
END_TEST

/* The response value pppd sent for l2tpns's challenge (frames 18, 19). */
START_TEST(test_chap_md5_capture)
{
	uint8_t chal[16], got[16], w[16];

	load("4ea11df12e550e7578833964c741311a", chal);
	load("02378baa306aaaec718c6bb1d7dd4424", w);
	ppp_chap_md5(1, "secret", chal, sizeof(chal), got);
	ck_assert_mem_eq(got, w, 16);
}
END_TEST

START_TEST(test_pap_dialin)
{
	start(true, false);
	lcp_up();
	/* pppd's Authenticate-Request; the Ack is l2tpns's, byte for byte. */
	frame("ff03c023010100190d616c6963654065786f2e63617406736563726574");
	ck_assert_str_eq(auth_req.user, "alice@exo.cat");
	ck_assert_str_eq(auth_req.password, "secret");
	want(PPP_PAP, "0201000500");
	ck_assert_uint_eq(p.phase, PPP_PHASE_NETWORK);
}
END_TEST

/* Control characters of a user name never reach the log or the lookup. */
START_TEST(test_pap_user_controls)
{
	start(true, false);
	lcp_up();
	/* "a\nb\x7f" / "x\ny": only the name is cleaned. */
	frame("ff03c0230102000d" "04610a627f" "03780a79");
	ck_assert_str_eq(auth_req.user, "a?b?");
	ck_assert_str_eq(auth_req.password, "x\ny");
}
END_TEST

START_TEST(test_auth_refused)
{
	uint8_t resp[17] = { 16 };
	size_t len;
	const uint8_t *chal;

	lcp_up();
	chal = last_of(PPP_CHAP, &len);
	auth_ok = false;
	packet(PPP_CHAP, 2, chal[1], resp, sizeof(resp));
	ck_assert_uint_eq(last_of(PPP_CHAP, &len)[0], 4);	/* Failure */
	ck_assert_uint_eq(last_of(PPP_LCP, &len)[0], PPP_TERMREQ);
	ck_assert_uint_eq(p.lcp.state, PPP_CLOSING);
	/* No IPCP before authentication: the frame is dropped. */
	frame("ff0380210101000a030600000000");
	ck_assert_uint_eq(last_of(PPP_LCP, &len)[0], PPP_TERMREQ);
	now += 2 * PPP_RESTART_MS;
	ppp_tick(&p, now);
	now += 2 * PPP_RESTART_MS;
	ppp_tick(&p, now);
	ck_assert_uint_eq(n_down, 1);
	ck_assert_str_eq(down_why, "authentication failed");
}
END_TEST

START_TEST(test_auth_negotiation)
{
	static const uint8_t pap[] = { LCP_AUTH, 4, 0xc0, 0x23 };
	size_t len;
	const uint8_t *req;

	/* Nak of CHAP suggesting PAP, with both offered: PAP next. */
	start(true, true);
	req = last_of(PPP_LCP, &len);
	packet(PPP_LCP, PPP_CONFNAK, req[1], pap, sizeof(pap));
	req = last_of(PPP_LCP, &len);
	ck_assert_uint_eq(req[0], PPP_CONFREQ);
	ck_assert_mem_eq(req + 8, pap, sizeof(pap));
	/* Without PAP offered: no protocol in common, the link ends. */
	start(false, true);
	req = last_of(PPP_LCP, &len);
	packet(PPP_LCP, PPP_CONFNAK, req[1], pap, sizeof(pap));
	ck_assert_uint_eq(last_of(PPP_LCP, &len)[0], PPP_TERMREQ);
	ck_assert_str_eq(p.why,
			 "no authentication protocol in common with the member");
	/* A Reject of authentication: the link ends. */
	start(false, true);
	req = last_of(PPP_LCP, &len);
	packet(PPP_LCP, PPP_CONFREJ, req[1], req + 8, 5);
	ck_assert_str_eq(p.why, "the member refuses to authenticate");
}
END_TEST

START_TEST(test_echo_and_dead_peer)
{
	size_t len;
	const uint8_t *e;
	unsigned int i;
	uint8_t rep[8];

	logged_in();
	/* The member's echo is answered with our magic. */
	rep[0] = 0x9b; rep[1] = 0x15; rep[2] = 0x6c; rep[3] = 0x24;
	memcpy(rep + 4, "ping", 4);
	packet(PPP_LCP, PPP_ECHOREQ, 77, rep, sizeof(rep));
	e = last_of(PPP_LCP, &len);
	ck_assert_uint_eq(e[0], PPP_ECHOREP);
	ck_assert_uint_eq(e[1], 77);
	ck_assert_uint_eq((uint32_t)e[4] << 24 | e[5] << 16 | e[6] << 8 | e[7],
			  p.magic);
	ck_assert_mem_eq(e + 8, "ping", 4);

	/* Ours, answered: nothing happens. */
	now += PPP_ECHO_MS;
	ppp_tick(&p, now);
	e = last_of(PPP_LCP, &len);
	ck_assert_uint_eq(e[0], PPP_ECHOREQ);
	packet(PPP_LCP, PPP_ECHOREP, e[1], rep, 4);
	ck_assert_uint_eq(p.echo_pending, 0);
	/* Then silence: six unanswered, and the link is closed. */
	for (i = 0; i < 2 * PPP_ECHO_FAILS && !n_down; i++) {
		now += PPP_ECHO_MS;
		ppp_tick(&p, now);
	}
	ck_assert_uint_eq(n_down, 1);
	ck_assert_str_eq(down_why, "the member stopped answering LCP echoes");
}
END_TEST

START_TEST(test_rejects)
{
	static const uint8_t ccp[] = { 1, 1, 0, 4 };
	static const uint8_t lqr[] = { 4, 8, 0xc0, 0x25, 0, 0, 0, 1 };
	size_t len;
	const uint8_t *r;

	/* An LCP option we do not know is rejected as it came. */
	packet(PPP_LCP, PPP_CONFREQ, 9, lqr, sizeof(lqr));
	r = last_of(PPP_LCP, &len);
	ck_assert_uint_eq(r[0], PPP_CONFREJ);
	ck_assert_mem_eq(r + 4, lqr, sizeof(lqr));
	/* Our own magic back (a looped line): Nak with another. */
	lcp_up();
	{
		uint8_t m[6] = { LCP_MAGIC, 6 };

		m[2] = p.magic >> 24; m[3] = p.magic >> 16;
		m[4] = p.magic >> 8; m[5] = p.magic;
		packet(PPP_LCP, PPP_CONFREQ, 10, m, sizeof(m));
		r = last_of(PPP_LCP, &len);
		ck_assert_uint_eq(r[0], PPP_CONFNAK);
		ck_assert_int_ne(memcmp(r + 6, m + 2, 4), 0);
	}
	lcp_up();
	/* CCP: Protocol-Reject naming it. */
	packet(0x80fd, 1, 1, ccp, 0);
	r = last_of(PPP_LCP, &len);
	ck_assert_uint_eq(r[0], PPP_PROTREJ);
	ck_assert_uint_eq(r[4] << 8 | r[5], 0x80fd);
	/* An unknown LCP code: Code-Reject. */
	packet(PPP_LCP, 42, 3, NULL, 0);
	r = last_of(PPP_LCP, &len);
	ck_assert_uint_eq(r[0], PPP_CODEREJ);
	ck_assert_uint_eq(r[4], 42);
}
END_TEST

START_TEST(test_lcp_gives_up)
{
	unsigned int i, reqs = 0;

	/* Nobody answers: PPP_MAX_CONFIGURE requests, then down. */
	for (i = 0; i < 20 && !n_down; i++) {
		now += PPP_RESTART_MS;
		ppp_tick(&p, now);
	}
	for (i = 0; i < n_sent; i++)
		reqs += sent[i].proto == PPP_LCP && sent[i].buf[0] == PPP_CONFREQ;
	ck_assert_uint_eq(reqs, PPP_MAX_CONFIGURE);
	ck_assert_uint_eq(n_down, 1);
	ck_assert_uint_eq(p.lcp.state, PPP_STOPPED);
}
END_TEST

/* Mutated frames of every protocol in every phase: nothing out of bounds. */
START_TEST(test_mutations)
{
	static const char *const frames[] = {
		"ff03c0210101001002060000000005069b156c24",
		"ff03c023010100190d616c6963654065786f2e63617406736563726574",
		"ff0380210101000a030600000000",
		"ff0380570101000e010a79cf5a75b79dbab9",
		"ff03c02105020010557365722072657175657374",
		"ff03c22302010022100000000000000000000000000000000061",
	};
	unsigned int i;

	for (i = 0; i < 50000; i++) {
		uint8_t orig[L2TP_MSG_MAX], *b;
		size_t n = load(frames[i % 6], orig), len, plen;
		const uint8_t *pkt;
		uint16_t proto;

		if (i % 500 == 0) {
			start(i % 1000 == 0, true);
			if (i % 1500 == 0)
				lcp_up();
		}
		n_sent = 0;
		b = mutate(&rng, orig, n, 3, 4, 3, &len);
		if (!ppp_frame_parse(b, len, &proto, &pkt, &plen))
			ppp_input(&p, proto, pkt, plen, now);
		now += xorshift64(&rng) % 2000;
		ppp_tick(&p, now);
		free(b);
	}
	ck_assert_uint_gt(p.bad + p.lcp.bad, 0);
}
END_TEST

Suite *lns_ppp_suite(void)
{
	Suite *s = suite_create("lns_ppp");
	TCase *tc = tcase_create("ppp");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_chap_dialin);
	tcase_add_test(tc, test_chap_md5_capture);
	tcase_add_test(tc, test_pap_dialin);
	tcase_add_test(tc, test_pap_user_controls);
	tcase_add_test(tc, test_auth_refused);
	tcase_add_test(tc, test_auth_negotiation);
	tcase_add_test(tc, test_echo_and_dead_peer);
	tcase_add_test(tc, test_rejects);
	tcase_add_test(tc, test_lcp_gives_up);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return s;
}
