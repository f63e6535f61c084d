// SPDX-License-Identifier: GPL-2.0-only
/*
 * lns_persist suite: tunnels and sessions saved as lines and taken over by
 * another LNS keep their ids, peer, sequence numbers and negotiated PPP;
 * the adopted tunnel goes on with the next Ns; lines that are bad or
 * clash with what the LNS has are refused without a trace.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lns/persist.h"

static uint8_t sent[2048];
static size_t sent_len;
static unsigned int downs;

static void xmit(void *ctx, const struct lns_addr *to, const uint8_t *buf,
		 size_t len)
{
	memcpy(sent, buf, len < sizeof(sent) ? len : sizeof(sent));
	sent_len = len;
}

static void rnd(void *ctx, uint8_t *buf, size_t len)
{
	memset(buf, 0x5a, len);
}

static void down(void *ctx, struct lns_session *s, const char *why)
{
	downs++;
}

static const struct lns_callbacks cb = {
	.xmit = xmit,
	.random = rnd,
	.session_down = down,
};

static void lns_new(struct lns *l)
{
	struct lns_config c = { .host_name = "lns.exo.test" };

	c.ppp.chap = true;
	c.ppp.local_ifid[7] = 1;
	lns_init(l, &c, &cb, NULL);
	downs = 0;
}

static const char tunnel_line[] =
	"t=4097 pt=77 a=192.0.2.2 p=1701 rws=4 ns=12 nr=9 h=65786f2d637065";
static const char session_line[] =
	"t=4097 s=300 ps=88 m=305419896 pm=2271560481 mru=1460 pfc=0 acfc=1"
	" ap=49699 v4=100.64.1.2 ip=1 ip6=1 pif=0211223344556677"
	" lif=0000000000000001 u=616c6963654065786f2e636174";

START_TEST(test_roundtrip)
{
	char line[LNS_STATE_MAX];
	struct lns_session *s;
	struct lns_tunnel *t;
	struct lns l;

	lns_new(&l);
	ck_assert_int_eq(lns_tunnel_load(&l, tunnel_line, 1000), 0);
	ck_assert_int_eq(lns_session_load(&l, session_line, 1000, &s), 0);
	t = lns_tunnel_by_id(&l, 4097);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->peer_id, 77);
	ck_assert_int_eq(t->state, LNS_TUN_ESTABLISHED);
	ck_assert_str_eq(t->host_name, "exo-cpe");
	ck_assert_uint_eq(t->chan.ns, 12);
	ck_assert_uint_eq(t->chan.nr, 9);
	ck_assert_ptr_eq(lns_session_by_id(t, 300), s);
	ck_assert_uint_eq(s->peer_id, 88);
	ck_assert_int_eq(s->state, LNS_SESS_ESTABLISHED);
	ck_assert_int_eq(s->ppp->phase, PPP_PHASE_NETWORK);
	ck_assert_int_eq(s->ppp->lcp.state, PPP_OPENED);
	ck_assert_int_eq(s->ppp->ipcp.state, PPP_OPENED);
	ck_assert_int_eq(s->ppp->ipv6cp.state, PPP_OPENED);
	ck_assert_uint_eq(s->ppp->magic, 305419896u);
	ck_assert_uint_eq(s->ppp->peer_magic, 2271560481u);
	ck_assert(s->ppp->peer_acfc && !s->ppp->peer_pfc);
	ck_assert_str_eq(s->ppp->user, "alice@exo.cat");
	ck_assert_uint_eq(s->ppp->peer4.s_addr, inet_addr("100.64.1.2"));
	ck_assert_uint_eq(s->v6.peer_ifid[7], 0x77);
	/* Saved again: the very same lines. */
	ck_assert_int_gt(lns_tunnel_save(t, line, sizeof(line)), 0);
	ck_assert_str_eq(line, tunnel_line);
	ck_assert_int_gt(lns_session_save(s, line, sizeof(line)), 0);
	ck_assert_str_eq(line, session_line);
	ck_assert_int_eq(lns_tunnel_save(t, line, 16), -ENOSPC);
	/* The next message goes with Ns 12 and Nr 9, as the peer expects. */
	lns_session_close(s, LNS_CDN_ADMIN, LNS_ERR_NONE, 2000);
	ck_assert_uint_ge(sent_len, 12);
	ck_assert_uint_eq(sent[8] << 8 | sent[9], 12);
	ck_assert_uint_eq(sent[10] << 8 | sent[11], 9);
	ck_assert_uint_eq(downs, 1);
	lns_free(&l);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad_tunnels[] = {
		"", "t=0 pt=77 a=192.0.2.2 p=1701 rws=4 ns=1 nr=1 h=",
		"t=5 pt=0 a=192.0.2.2 p=1701 rws=4 ns=1 nr=1 h=",
		"t=5 pt=77 a=192.0.2.300 p=1701 rws=4 ns=1 nr=1 h=",
		"t=5 pt=77 a=192.0.2.2 p=70000 rws=4 ns=1 nr=1 h=",
		"t=5 pt=77 a=192.0.2.2 p=1701 rws=4 ns=1x nr=1 h=",
		"t=5 pt=77 a=192.0.2.2 p=1701 rws=4 nr=1 h=",
	};
	struct lns_session *s = NULL;
	struct lns l;
	unsigned int i;

	lns_new(&l);
	for (i = 0; i < sizeof(bad_tunnels) / sizeof(bad_tunnels[0]); i++)
		ck_assert_msg(lns_tunnel_load(&l, bad_tunnels[i], 0) == -EINVAL,
			      "'%s' taken", bad_tunnels[i]);
	ck_assert_uint_eq(l.n_tunnels, 0);
	/* A session of no tunnel; a tunnel id taken twice. */
	ck_assert_int_eq(lns_session_load(&l, session_line, 0, &s), -EINVAL);
	ck_assert_int_eq(lns_tunnel_load(&l, tunnel_line, 0), 0);
	ck_assert_int_eq(lns_tunnel_load(&l, tunnel_line, 0), -EINVAL);
	ck_assert_uint_eq(l.n_tunnels, 1);
	/* A session id taken twice; a bad interface id ends the session. */
	ck_assert_int_eq(lns_session_load(&l, session_line, 0, &s), 0);
	ck_assert_int_eq(lns_session_load(&l, session_line, 0, &s), -EINVAL);
	ck_assert_int_eq(lns_session_load(&l,
		"t=4097 s=301 ps=89 m=1 pm=2 mru=1460 pfc=0 acfc=0 ap=49699"
		" v4=100.64.1.3 ip=1 ip6=0 pif=02 lif=0000000000000001 u=",
		0, &s), -EINVAL);
	ck_assert_uint_eq(l.n_sessions, 1);
	lns_free(&l);
}
END_TEST

Suite *lns_persist_suite(void)
{
	Suite *s = suite_create("lns_persist");
	TCase *tc = tcase_create("persist");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}
