// SPDX-License-Identifier: GPL-2.0-only
/* EoIP keepalives toward the subscribers, on the daemon's timer. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon/keepalive.h"
#include "daemon/keepalive_pkt.h"
#include "daemon/run.h"
#include "util/addr.h"

/* Packets per sendmmsg(). */
#define KA_BATCH 64
/*
 * Those due within so long go out with the one due now: at most one
 * wakeup in this many ms however many subscribers there are.
 */
#define KA_SLACK_MS 50

void tg_keepalive_init(struct tg_keepalive *k)
{
	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->deadline = UINT64_MAX;
}

int tg_keepalive_open(struct tg_keepalive *k)
{
	/* IPPROTO_RAW: we write the IPv4 header (IP_HDRINCL), the kernel routes. */
	k->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_RAW);
	k->fd_err = k->fd < 0 ? -errno : 0;
	return k->fd_err;
}

void tg_keepalive_close(struct tg_keepalive *k)
{
	if (k->fd >= 0)
		close(k->fd);
	free(k->peer);
	tg_keepalive_init(k);
}

static int ka_cmp(const struct tg_ka_peer *a, const struct tg_ka_peer *b)
{
	if (a->remote != b->remote)
		return ntohl(a->remote) < ntohl(b->remote) ? -1 : 1;
	if (a->local != b->local)
		return ntohl(a->local) < ntohl(b->local) ? -1 : 1;
	return (int)a->id - (int)b->id;
}

static int ka_qcmp(const void *a, const void *b)
{
	return ka_cmp(a, b);
}

static void ka_deadline(struct tg_keepalive *k)
{
	size_t i;

	k->deadline = UINT64_MAX;
	/* Without a socket nothing is ever due. */
	if (k->fd < 0)
		return;
	for (i = 0; i < k->n; i++)
		if (k->peer[i].next_ms < k->deadline)
			k->deadline = k->peer[i].next_ms;
}

int tg_keepalive_set(struct tg_keepalive *k, const struct tg_sub *subs,
		     size_t n, const struct tg_settings *st, __u64 now_ms)
{
	struct tg_ka_peer *v, *p;
	const struct tg_ka_peer *old;
	struct tg_config c;
	struct tg_encap e;
	size_t i, m = 0, o = 0;
	unsigned int every;
	int d;

	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	tg_settings_config(st, &c);
	for (i = 0; i < n; i++) {
		if (subs[i].type != TG_TUN_EOIP)
			continue;
		every = subs[i].has_keepalive ? subs[i].keepalive :
			st->eoip_keepalive;
		if (!every)
			continue;
		/* The values the sync writes, resolved as the data plane does. */
		tg_sub_encap(&subs[i], st, &e);
		p = &v[m++];
		p->remote = e.remote;
		p->local = e.local;
		p->id = e.peer_id;
		p->ttl = e.ttl ? e.ttl : c.default_ttl ? c.default_ttl :
			 TG_TTL_DEFAULT;
		p->every_ms = every * 1000U;
	}
	qsort(v, m, sizeof(*v), ka_qcmp);
	for (i = 0; i < m; i++) {
		p = &v[i];
		d = 1;
		while (o < k->n && (d = ka_cmp(&k->peer[o], p)) < 0)
			o++;
		old = o < k->n ? &k->peer[o] : NULL;
		if (old && !d && old->every_ms == p->every_ms)
			p->next_ms = old->next_ms;
		else
			p->next_ms = now_ms + (__u64)p->every_ms * i / m;
	}
	if (m != k->n)
		tg_run_log("eoip keepalives: %zu subscriber%s", m,
			   m == 1 ? "" : "s");
	free(k->peer);
	k->peer = v;
	k->n = m;
	if (m && k->fd_err && !k->fd_logged) {
		k->fd_logged = true;
		tg_run_log("eoip keepalives: none sent: no raw socket (%s; it needs CAP_NET_RAW when the daemon starts)",
			   strerror(-k->fd_err));
	}
	ka_deadline(k);
	return 0;
}

int tg_keepalive_load(struct tg_keepalive *k, sqlite3 *db, __u64 now_ms)
{
	struct tg_sub *subs = NULL;
	struct tg_settings st;
	size_t n = 0;
	int err;

	err = tg_db_begin(db);
	if (err)
		return err;
	err = tg_db_settings_load(db, &st);
	if (!err)
		err = tg_db_sub_list_type(db, TG_TUN_EOIP, &subs, &n);
	tg_db_commit(db);
	if (!err)
		err = tg_keepalive_set(k, subs, n, &st, now_ms);
	tg_sub_list_free(subs, n);
	return err;
}

/* Send msg[0..n): a failure skips its packet and is logged once. */
static void ka_flush(struct tg_keepalive *k, struct mmsghdr *msg,
		     unsigned int n)
{
	const struct sockaddr_in *to;
	unsigned int done = 0;
	char a[16];
	int r;

	while (done < n) {
		r = sendmmsg(k->fd, msg + done, n - done, 0);
		if (r > 0) {
			done += r;
			/* The metrics thread reads it as it grows. */
			__atomic_fetch_add(&k->sent, r, __ATOMIC_RELAXED);
			if (k->fail_logged) {
				k->fail_logged = false;
				tg_run_log("eoip keepalives: sent again (%llu failed so far)",
					   (unsigned long long)k->failed);
			}
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		k->failed++;
		if (!k->fail_logged) {
			k->fail_logged = true;
			to = msg[done].msg_hdr.msg_name;
			tg_ip4_format(to->sin_addr.s_addr, a, sizeof(a));
			tg_run_log("eoip keepalive to %s not sent: %s; further failures are counted, not logged",
				   a, r < 0 ? strerror(errno) : "nothing sent");
		}
		done++;
	}
}

void tg_keepalive_tick(struct tg_keepalive *k, __u64 now_ms)
{
	static __u8 pkt[KA_BATCH][TG_KA_PKT_LEN];
	static struct sockaddr_in to[KA_BATCH];
	static struct iovec iov[KA_BATCH];
	static struct mmsghdr msg[KA_BATCH];
	__u64 due = now_ms + KA_SLACK_MS;
	struct tg_ka_peer *p;
	unsigned int nb = 0;
	size_t i;

	if (now_ms < k->deadline)
		return;
	for (i = 0; i < k->n; i++) {
		p = &k->peer[i];
		if (p->next_ms > due)
			continue;
		tg_ka_pkt_build(pkt[nb], p->local, p->remote, p->ttl, p->id);
		to[nb] = (struct sockaddr_in){ .sin_family = AF_INET,
					       .sin_addr.s_addr = p->remote };
		iov[nb] = (struct iovec){ pkt[nb], TG_KA_PKT_LEN };
		msg[nb] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &to[nb], .msg_namelen = sizeof(to[nb]),
			.msg_iov = &iov[nb], .msg_iovlen = 1 } };
		/* Its next turn keeps its phase, however late this one was. */
		p->next_ms += (__u64)p->every_ms *
			      ((due - p->next_ms) / p->every_ms + 1);
		if (++nb == KA_BATCH) {
			ka_flush(k, msg, nb);
			nb = 0;
		}
	}
	if (nb)
		ka_flush(k, msg, nb);
	ka_deadline(k);
}
