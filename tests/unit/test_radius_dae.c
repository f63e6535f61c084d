// SPDX-License-Identifier: GPL-2.0-only
/*
 * radius_dae suite: the dynamic authorization server with requests
 * signed here with nettle directly (not the server's own helpers):
 * authenticators, Message-Authenticator, every NAK cause, duplicates,
 * malformed packets, and the real socket with tests/e2e/radius_dae.py.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <sys/wait.h>

#include "radius/dae.h"
#include "radius/packet.h"
#include "fuzz.h"

#define SECRET "dae-secret"
#define CLIENT "192.0.2.10"

static struct tg_dae_client clients[1];
static struct tg_dae *dae;
static int finds, changes, disconnects;
static struct tg_dae_change last;

static int cb_find(void *ctx, const struct tg_dae_ident *id, __u64 *h)
{
	finds++;
	if (!strcmp(id->user, "alice") || !strcmp(id->session_id, "S1") ||
	    id->ip.s_addr == htonl(0x64400001)) {
		*h = 1;
		return 0;
	}
	return TG_DAE_EC_CONTEXT_NOT_FOUND;
}

static int cb_change(void *ctx, __u64 h, const struct tg_dae_change *c)
{
	changes++;
	last = *c;
	return 0;
}

static int cb_disconnect(void *ctx, __u64 h)
{
	disconnects++;
	return 0;
}

static const struct tg_dae_ops ops = {
	.find = cb_find, .change = cb_change, .disconnect = cb_disconnect,
};

static struct tg_dae_config config(void)
{
	struct tg_dae_config cfg = { .clients = clients, .nclients = 1,
				     .nas_identifier = "lns1" };

	inet_pton(AF_INET, CLIENT, &clients[0].addr);
	snprintf(clients[0].secret, sizeof(clients[0].secret), SECRET);
	inet_pton(AF_INET, "198.51.100.1", &cfg.nas_ip);
	return cfg;
}

static void setup(void)
{
	struct tg_dae_config cfg = config();

	finds = changes = disconnects = 0;
	memset(&last, 0, sizeof(last));
	ck_assert_int_eq(tg_dae_new(&cfg, &ops, NULL, &dae), 0);
}

static void teardown(void)
{
	tg_dae_close(dae);
}

/* A request: code, id, attributes; signed with secret as RFC 5176 says. */
struct req {
	__u8 p[TG_RAD_PKT_MAX];
	size_t len;
};

static void req_init(struct req *r, __u8 code, __u8 id)
{
	memset(r, 0, sizeof(*r));
	r->p[0] = code;
	r->p[1] = id;
	r->len = TG_RAD_HDR_LEN;
}

static void req_attr(struct req *r, __u8 type, const void *v, size_t n)
{
	r->p[r->len] = type;
	r->p[r->len + 1] = n + 2;
	memcpy(r->p + r->len + 2, v, n);
	r->len += n + 2;
}

static void req_str(struct req *r, __u8 type, const char *s)
{
	req_attr(r, type, s, strlen(s));
}

static void req_vsa(struct req *r, __u32 vendor, __u8 type, const void *v,
		    size_t n)
{
	__u8 b[260];
	__u32 be = htonl(vendor);

	memcpy(b, &be, 4);
	b[4] = type;
	b[5] = n + 2;
	memcpy(b + 6, v, n);
	req_attr(r, TG_RAD_VENDOR_SPECIFIC, b, n + 6);
}

/* Length set, Message-Authenticator (if ma) then Request Authenticator. */
static void req_sign(struct req *r, const char *secret, bool ma)
{
	struct hmac_md5_ctx h;
	struct md5_ctx m;
	size_t at = 0;

	if (ma) {
		__u8 zero[16] = { 0 };

		req_attr(r, TG_RAD_MESSAGE_AUTHENTICATOR, zero, 16);
		at = r->len - 16;
	}
	r->p[2] = r->len >> 8;
	r->p[3] = r->len & 0xff;
	memset(r->p + 4, 0, 16);
	if (ma) {
		hmac_md5_set_key(&h, strlen(secret), (const __u8 *)secret);
		hmac_md5_update(&h, r->len, r->p);
		hmac_md5_digest(&h, 16, r->p + at);
	}
	md5_init(&m);
	md5_update(&m, r->len, r->p);
	md5_update(&m, strlen(secret), (const __u8 *)secret);
	md5_digest(&m, 16, r->p + 4);
}

static struct sockaddr_in src(const char *a, __u16 port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static __u8 ans[TG_RAD_PKT_MAX];

/* Handle r from CLIENT: the answer's length (0: none). */
static size_t send_req(const struct req *r, __s64 now)
{
	struct sockaddr_in s = src(CLIENT, 40000);

	return tg_dae_handle(dae, &s, r->p, r->len, ans, sizeof(ans), now);
}

/* The answer's code, its Response Authenticator checked; *cause set. */
static int answer_code(const struct req *r, size_t n, __u32 *cause)
{
	__u8 want[16];
	struct md5_ctx m;
	size_t off = TG_RAD_HDR_LEN;

	ck_assert_uint_ge(n, TG_RAD_HDR_LEN);
	ck_assert_uint_eq((size_t)ans[2] << 8 | ans[3], n);
	ck_assert_uint_eq(ans[1], r->p[1]);
	md5_init(&m);
	md5_update(&m, 4, ans);
	md5_update(&m, 16, r->p + 4);
	md5_update(&m, n - 20, ans + 20);
	md5_update(&m, strlen(SECRET), (const __u8 *)SECRET);
	md5_digest(&m, 16, want);
	ck_assert_mem_eq(want, ans + 4, 16);
	*cause = 0;
	while (off + 2 <= n) {
		if (ans[off] == TG_RAD_ERROR_CAUSE && ans[off + 1] == 6)
			*cause = (__u32)ans[off + 4] << 8 | ans[off + 5];
		off += ans[off + 1];
	}
	return ans[0];
}

static void expect(const struct req *r, int code, __u32 cause)
{
	size_t n = send_req(r, 100);
	__u32 got;

	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(answer_code(r, n, &got), code);
	ck_assert_uint_eq(got, cause);
}

START_TEST(test_disconnect_ack_and_duplicate)
{
	struct tg_dae_stats st;
	struct req r;
	__u8 first[TG_RAD_PKT_MAX];
	size_t n;

	setup();
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 7);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_str(&r, TG_RAD_PROXY_STATE, "ps1");
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_DISCONNECT_ACK, 0);
	/* Proxy-State echoed. */
	ck_assert_uint_eq(ans[20], TG_RAD_PROXY_STATE);
	ck_assert_mem_eq(ans + 22, "ps1", 3);
	ck_assert_int_eq(disconnects, 1);
	n = (size_t)ans[2] << 8 | ans[3];
	memcpy(first, ans, n);
	/* The same again: the same answer, no second action. */
	ck_assert_uint_eq(send_req(&r, 103), n);
	ck_assert_mem_eq(ans, first, n);
	ck_assert_int_eq(disconnects, 1);
	ck_assert_int_eq(finds, 1);
	/* After the window, it is a new request. */
	ck_assert_uint_eq(send_req(&r, 100 + TG_DAE_DUP_SECONDS + 1), n);
	ck_assert_int_eq(disconnects, 2);
	tg_dae_get_stats(dae, &st);
	ck_assert_uint_eq(st.duplicates, 1);
	ck_assert_uint_eq(st.disconnect_ack, 2);
	teardown();
}
END_TEST

START_TEST(test_coa_changes)
{
	__u32 be;
	struct req r;

	setup();
	req_init(&r, TG_RC_COA_REQUEST, 1);
	req_str(&r, TG_RAD_ACCT_SESSION_ID, "S1");
	req_str(&r, TG_RAD_NAS_IDENTIFIER, "lns1");
	req_vsa(&r, TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT,
		"5M/20M", 6);
	req_str(&r, TG_RAD_FILTER_ID, "gold");
	be = htonl(3600);
	req_attr(&r, TG_RAD_SESSION_TIMEOUT, &be, 4);
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_COA_ACK, 0);
	ck_assert_int_eq(changes, 1);
	ck_assert(last.has_up && last.has_down && last.has_class && last.has_timeout);
	ck_assert_uint_eq(last.up_bps, 5000000);
	ck_assert_uint_eq(last.down_bps, 20000000);
	ck_assert_str_eq(last.class_, "gold");
	ck_assert_uint_eq(last.session_timeout, 3600);

	req_init(&r, TG_RC_COA_REQUEST, 2);
	be = htonl(0x64400001);
	req_attr(&r, TG_RAD_FRAMED_IP_ADDRESS, &be, 4);
	be = htonl(1000000);
	req_vsa(&r, TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_UP, &be, 4);
	be = htonl(8000000);
	req_vsa(&r, TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_DOWN, &be, 4);
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_COA_ACK, 0);
	ck_assert(last.has_up && last.has_down && !last.has_class);
	ck_assert_uint_eq(last.up_bps, 1000000);
	ck_assert_uint_eq(last.down_bps, 8000000);
	teardown();
}
END_TEST

START_TEST(test_nak_causes)
{
	__u32 be = htonl(0xc6336402);	/* 198.51.100.2: not ours */
	struct tg_dae_stats st;
	struct req r;

	setup();
	/* 503: no such session. */
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 1);
	req_str(&r, TG_RAD_USER_NAME, "bob");
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_DISCONNECT_NAK, TG_DAE_EC_CONTEXT_NOT_FOUND);
	/* 402: nothing names a session. */
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 2);
	req_str(&r, TG_RAD_NAS_IDENTIFIER, "lns1");
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_DISCONNECT_NAK, TG_DAE_EC_MISSING_ATTRIBUTE);
	/* 402: a CoA that changes nothing. */
	req_init(&r, TG_RC_COA_REQUEST, 3);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_COA_NAK, TG_DAE_EC_MISSING_ATTRIBUTE);
	/* 401: a change in a Disconnect-Request, an unknown attribute or vendor. */
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 4);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_str(&r, TG_RAD_FILTER_ID, "gold");
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_DISCONNECT_NAK, TG_DAE_EC_UNSUPPORTED_ATTRIBUTE);
	req_init(&r, TG_RC_COA_REQUEST, 5);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_str(&r, TG_RAD_REPLY_MESSAGE, "hi");
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_COA_NAK, TG_DAE_EC_UNSUPPORTED_ATTRIBUTE);
	req_init(&r, TG_RC_COA_REQUEST, 6);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_vsa(&r, 9, 1, "x", 1);
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_COA_NAK, TG_DAE_EC_UNSUPPORTED_ATTRIBUTE);
	/* 403: another NAS's identifier or address. */
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 7);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_str(&r, TG_RAD_NAS_IDENTIFIER, "lns2");
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_DISCONNECT_NAK, TG_DAE_EC_NAS_MISMATCH);
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 8);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_attr(&r, TG_RAD_NAS_IP_ADDRESS, &be, 4);
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_DISCONNECT_NAK, TG_DAE_EC_NAS_MISMATCH);
	/* 407: a rate that does not parse, a Framed-IP-Address of 3 bytes. */
	req_init(&r, TG_RC_COA_REQUEST, 9);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_vsa(&r, TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT, "5Q", 2);
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_COA_NAK, TG_DAE_EC_INVALID_VALUE);
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 10);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_attr(&r, TG_RAD_FRAMED_IP_ADDRESS, "\x64\x40\x00", 3);
	req_sign(&r, SECRET, false);
	expect(&r, TG_RC_DISCONNECT_NAK, TG_DAE_EC_INVALID_VALUE);
	ck_assert_int_eq(disconnects + changes, 0);
	tg_dae_get_stats(dae, &st);
	ck_assert_uint_eq(st.disconnect_nak, 6);
	ck_assert_uint_eq(st.coa_nak, 4);
	teardown();
}
END_TEST

START_TEST(test_refused_without_answer)
{
	struct sockaddr_in other = src("203.0.113.9", 40000);
	struct tg_dae_stats st;
	struct req r;

	setup();
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 1);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_sign(&r, "wrong", false);
	ck_assert_uint_eq(send_req(&r, 100), 0);
	/* A right request from a client not configured. */
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 2);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_sign(&r, SECRET, false);
	ck_assert_uint_eq(tg_dae_handle(dae, &other, r.p, r.len, ans,
					sizeof(ans), 100), 0);
	/* An Access-Request is not ours to answer. */
	r.p[0] = 1;
	req_sign(&r, SECRET, false);
	ck_assert_uint_eq(send_req(&r, 100), 0);
	ck_assert_int_eq(disconnects, 0);
	tg_dae_get_stats(dae, &st);
	ck_assert_uint_eq(st.drops[TG_DAE_DROP_BAD_AUTH], 1);
	ck_assert_uint_eq(st.drops[TG_DAE_DROP_UNKNOWN_CLIENT], 1);
	ck_assert_uint_eq(st.drops[TG_DAE_DROP_BAD_CODE], 1);
	teardown();
}
END_TEST

START_TEST(test_message_authenticator)
{
	struct hmac_md5_ctx h;
	struct tg_dae_stats st;
	__u8 copy[TG_RAD_PKT_MAX], want[16];
	struct req r;
	size_t n, ma;

	setup();
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 3);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_sign(&r, SECRET, true);
	n = send_req(&r, 100);
	expect(&r, TG_RC_DISCONNECT_ACK, 0);
	/* The answer's own, over it with the request's authenticator. */
	ck_assert_uint_eq(n, 20 + 18);
	ma = 22;
	ck_assert_uint_eq(ans[20], TG_RAD_MESSAGE_AUTHENTICATOR);
	memcpy(copy, ans, n);
	memcpy(copy + 4, r.p + 4, 16);
	memset(copy + ma, 0, 16);
	hmac_md5_set_key(&h, strlen(SECRET), (const __u8 *)SECRET);
	hmac_md5_update(&h, n, copy);
	hmac_md5_digest(&h, 16, want);
	ck_assert_mem_eq(want, ans + ma, 16);
	/* A wrong one, the Request Authenticator made right over it. */
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 4);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_sign(&r, SECRET, true);
	r.p[r.len - 1] ^= 1;
	{
		struct md5_ctx m;

		memset(r.p + 4, 0, 16);
		md5_init(&m);
		md5_update(&m, r.len, r.p);
		md5_update(&m, strlen(SECRET), (const __u8 *)SECRET);
		md5_digest(&m, 16, r.p + 4);
	}
	ck_assert_uint_eq(send_req(&r, 100), 0);
	tg_dae_get_stats(dae, &st);
	ck_assert_uint_eq(st.drops[TG_DAE_DROP_BAD_MSG_AUTH], 1);
	ck_assert_int_eq(disconnects, 1);
	teardown();
}
END_TEST

/* Raw attribute bytes in a signed request: dropped as malformed. */
static void malformed(const __u8 *attrs, size_t n)
{
	struct tg_dae_stats before, after;
	struct req r;

	req_init(&r, TG_RC_COA_REQUEST, 9);
	memcpy(r.p + r.len, attrs, n);
	r.len += n;
	req_sign(&r, SECRET, false);
	tg_dae_get_stats(dae, &before);
	ck_assert_uint_eq(send_req(&r, 100), 0);
	tg_dae_get_stats(dae, &after);
	ck_assert_uint_eq(after.drops[TG_DAE_DROP_MALFORMED],
			  before.drops[TG_DAE_DROP_MALFORMED] + 1);
}

START_TEST(test_malformed)
{
	struct sockaddr_in s = src(CLIENT, 1);
	struct req r;
	uint64_t seed = 0x5eed;
	__u8 *m;
	size_t i, n;

	setup();
	malformed((const __u8 *)"\x01\x00", 2);		/* length 0 */
	malformed((const __u8 *)"\x01\x01", 2);		/* length 1 */
	malformed((const __u8 *)"\x01", 1);		/* half a header */
	malformed((const __u8 *)"\x01\x05" "ab", 4);	/* past the end */
	/* Vendor-Specific: too short, sub-length off, vendor id > 24 bits. */
	malformed((const __u8 *)"\x1a\x06\x00\x00\x3a\x8c", 6);
	malformed((const __u8 *)"\x1a\x0a\x00\x00\x3a\x8c\x08\x05" "ab", 10);
	malformed((const __u8 *)"\x1a\x0a\x00\x00\x3a\x8c\x08\x01" "ab", 10);
	malformed((const __u8 *)"\x1a\x09\x01\x00\x3a\x8c\x08\x03" "a", 9);
	/* A Message-Authenticator of 4 bytes. */
	malformed((const __u8 *)"\x50\x06" "abcd", 6);
	/* The header: short, Length below 20 or past what came. */
	ck_assert_uint_eq(tg_dae_handle(dae, &s, (const __u8 *)"\x28\x01\x00", 3,
					ans, sizeof(ans), 100), 0);
	req_init(&r, TG_RC_DISCONNECT_REQUEST, 1);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_sign(&r, SECRET, false);
	r.p[3] = 19;
	ck_assert_uint_eq(send_req(&r, 100), 0);
	r.p[3] = r.len + 1;
	ck_assert_uint_eq(send_req(&r, 100), 0);
	/* Octets past Length are padding: the packet still holds. */
	req_sign(&r, SECRET, false);
	r.len += 3;
	expect(&r, TG_RC_DISCONNECT_ACK, 0);
	/* Mutations: any outcome but a crash or a read past the block. */
	req_init(&r, TG_RC_COA_REQUEST, 2);
	req_str(&r, TG_RAD_USER_NAME, "alice");
	req_vsa(&r, TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT, "1M/2M", 5);
	req_sign(&r, SECRET, false);
	for (i = 0; i < 20000; i++) {
		m = mutate(&seed, r.p, r.len, 3, 8, 4, &n);
		tg_dae_handle(dae, &s, m, n, ans, sizeof(ans), 200);
		free(m);
	}
	teardown();
}
END_TEST

/* Over a real socket on 127.0.0.1, with tests/e2e/radius_dae.py. */
static void run_client(const char *args, const char *want)
{
	char cmd[512], out[128] = "";
	struct pollfd p = { .fd = tg_dae_fd(dae), .events = POLLIN };
	int pipefd[2], status;
	pid_t pid;
	ssize_t n;

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		dup2(pipefd[1], 1);
		snprintf(cmd, sizeof(cmd), "exec python3 tests/e2e/radius_dae.py %s", args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (waitpid(pid, &status, WNOHANG) == 0)
		if (poll(&p, 1, 50) > 0)
			ck_assert_int_eq(tg_dae_read(dae, 100), 0);
	n = read(pipefd[0], out, sizeof(out) - 1);
	close(pipefd[0]);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	ck_assert_msg(WIFEXITED(status) && !WEXITSTATUS(status), "client failed: %s", out);
	ck_assert_msg(!strncmp(out, want, strlen(want)), "'%s': got '%s', expected '%s'",
		      args, out, want);
}

START_TEST(test_udp_with_client)
{
	struct tg_dae_config cfg = config();
	char a[256];
	__u16 port = 30000 + getpid() % 20000;

	finds = changes = disconnects = 0;
	inet_pton(AF_INET, "127.0.0.1", &clients[0].addr);
	inet_pton(AF_INET, "127.0.0.1", &cfg.listen);
	cfg.port = port;
	ck_assert_int_eq(tg_dae_open(&cfg, &ops, NULL, &dae), 0);
	snprintf(a, sizeof(a), "127.0.0.1 %u " SECRET " disconnect user=alice", port);
	run_client(a, "code=41 error-cause=0");
	snprintf(a, sizeof(a), "127.0.0.1 %u " SECRET " disconnect --msg-auth session=S1", port);
	run_client(a, "code=41 error-cause=0");
	snprintf(a, sizeof(a), "127.0.0.1 %u " SECRET " coa user=alice rate=2M/10M filter=silver", port);
	run_client(a, "code=44 error-cause=0");
	ck_assert_uint_eq(last.down_bps, 10000000);
	snprintf(a, sizeof(a), "127.0.0.1 %u " SECRET " coa user=nobody up=100000", port);
	run_client(a, "code=45 error-cause=503");
	snprintf(a, sizeof(a), "127.0.0.1 %u " SECRET " coa ip=100.64.0.1 nas-id=other timeout=60", port);
	run_client(a, "code=45 error-cause=403");
	snprintf(a, sizeof(a), "127.0.0.1 %u " SECRET " disconnect --wait 0.5 --bad-secret user=alice", port);
	run_client(a, "timeout");
	ck_assert_int_eq(disconnects, 2);
	ck_assert_int_eq(changes, 1);
	tg_dae_close(dae);
}
END_TEST

Suite *radius_dae_suite(void)
{
	Suite *s = suite_create("radius_dae");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_disconnect_ack_and_duplicate);
	tcase_add_test(tc, test_coa_changes);
	tcase_add_test(tc, test_nak_causes);
	tcase_add_test(tc, test_refused_without_answer);
	tcase_add_test(tc, test_message_authenticator);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_udp_with_client);
	suite_add_tcase(s, tc);
	return s;
}
