// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LNS on a real UDP socket on loopback (loader/lns/server.c): the
 * listen address forms, a bind that cannot work, and the captured LAC's
 * SCCRQ and SCCCN answered across the socket.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lns/server.h"
#include "l2tp_capture.h"

static uint16_t port_of(const struct lns_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

START_TEST(test_listen_parse)
{
	static const char *const bad[] = {
		"", "lns.example", "192.0.2.1:0", "192.0.2.1:65536",
		"192.0.2.1:", "192.0.2.1:+5", "192.0.2.1:-5", "[::1",
		"[::1]x", "[::1]:", "192.0.2.1:17x01",
	};
	struct lns_addr a;
	char err[128];
	unsigned int i;

	ck_assert_int_eq(lns_listen_parse("192.0.2.1", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a.ss.ss_family, AF_INET);
	ck_assert_uint_eq(port_of(&a), 1701);
	ck_assert_int_eq(lns_listen_parse("192.0.2.1:11701", &a, err,
					  sizeof(err)), 0);
	ck_assert_uint_eq(port_of(&a), 11701);
	ck_assert_int_eq(lns_listen_parse("2001:db8::1", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a.ss.ss_family, AF_INET6);
	ck_assert_uint_eq(port_of(&a), 1701);
	ck_assert_int_eq(lns_listen_parse("[2001:db8::1]:1702", &a, err,
					  sizeof(err)), 0);
	ck_assert_uint_eq(port_of(&a), 1702);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(lns_listen_parse(bad[i], &a, err, sizeof(err)) ==
			      -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "is not ADDRESS"));
	}
}
END_TEST

static void no_auth(void *ctx, struct lns_session *s,
		    const struct ppp_auth_req *r)
{
}

static const struct lns_callbacks env = { .auth = no_auth };

START_TEST(test_bind_refused)
{
	struct lns_config cfg = { .host_name = "lns" };
	struct lns_server *srv = calloc(1, sizeof(*srv));
	struct lns_addr a;
	char err[128];

	ck_assert_ptr_nonnull(srv);
	/* An address this host does not have. */
	ck_assert_int_eq(lns_listen_parse("192.0.2.77", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(lns_server_open(srv, &a, &cfg, &env, NULL, err,
					 sizeof(err)), -EADDRNOTAVAIL);
	ck_assert_str_eq(err, "LNS on 192.0.2.77 port 1701: "
			      "Cannot assign requested address");
	free(srv);
}
END_TEST

/* One datagram from the server within a second, decoded. */
static void recv_msg(int fd, struct l2tp_msg *m)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t buf[L2TP_MSG_MAX];
	ssize_t n;

	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	n = recv(fd, buf, sizeof(buf), 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(l2tp_msg_decode(buf, (size_t)n, NULL, m), L2TP_E_NONE);
}

START_TEST(test_loopback_tunnel)
{
	struct lns_config cfg = { .host_name = "lns.tungate.test" };
	struct lns_server *srv = calloc(1, sizeof(*srv));
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t buf[L2TP_MSG_MAX];
	struct pollfd p;
	struct l2tp_msg m;
	struct lns_addr a;
	char err[128], spec[32];
	unsigned int port = 20000 + (unsigned int)getpid() % 20000, tries;
	int fd, rc = -1;
	size_t n;

	ck_assert_ptr_nonnull(srv);
	for (tries = 0; tries < 20 && rc; tries++, port++) {
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
		ck_assert_int_eq(lns_listen_parse(spec, &a, err, sizeof(err)), 0);
		rc = lns_server_open(srv, &a, &cfg, &env, NULL, err, sizeof(err));
	}
	ck_assert_int_eq(rc, 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	to.sin_port = htons((uint16_t)(port - 1));
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);

	n = load(SCCRQ, buf);
	ck_assert_int_eq(send(fd, buf, n, 0), (ssize_t)n);
	p.fd = srv->fd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	lns_server_read(srv, 1000);
	recv_msg(fd, &m);
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRP);
	ck_assert_str_eq(m.host_name, "lns.tungate.test");

	n = load(SCCCN, buf);
	buf[4] = m.tunnel_id >> 8;
	buf[5] = m.tunnel_id & 0xff;
	ck_assert_int_eq(send(fd, buf, n, 0), (ssize_t)n);
	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	lns_server_read(srv, 1001);
	ck_assert_uint_eq(lns_tunnel_by_id(&srv->lns, m.tunnel_id)->state,
			  LNS_TUN_ESTABLISHED);
	/* The delayed ack reaches the LAC. */
	lns_tick(&srv->lns, 1001 + L2TP_ACK_DELAY_MS);
	recv_msg(fd, &m);
	ck_assert_uint_eq(m.type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(srv->send_errors, 0);
	close(fd);
	lns_server_close(srv);
	ck_assert_int_eq(srv->fd, -1);
	free(srv);
}
END_TEST

Suite *lns_server_suite(void)
{
	Suite *s = suite_create("lns_server");
	TCase *tc = tcase_create("server");

	tcase_add_test(tc, test_listen_parse);
	tcase_add_test(tc, test_bind_refused);
	tcase_add_test(tc, test_loopback_tunnel);
	suite_add_tcase(s, tc);
	return s;
}
