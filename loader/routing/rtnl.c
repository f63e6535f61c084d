// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtnetlink batches with one ack per request, and dumps, over libmnl.
 * Acks are read by hand rather than through mnl_cb_run(), which stops at
 * the first error in a datagram and would hide the verdicts after it.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>

#include "util/cli.h"
#include "routing/rtnl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

int tg_rtnl_open(struct tg_rtnl *r, tg_rtnl_err_fn on_err, void *data)
{
	int one = 1, err;

	memset(r, 0, offsetof(struct tg_rtnl, batch));
	r->on_err = on_err;
	r->data = data;
	r->seq = time(NULL);
	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl) {
		err = -errno;
		tg_err("rtnetlink: couldn't open a socket: %s", strerror(-err));
		return err;
	}
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		tg_err("rtnetlink: couldn't bind: %s", strerror(-err));
		tg_rtnl_close(r);
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	/* Optional: a kernel's own words in errors, filtering in dumps. */
	mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return 0;
}

void tg_rtnl_close(struct tg_rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

struct nlmsghdr *tg_rtnl_put(struct tg_rtnl *r, unsigned short type,
			     unsigned short flags, long tag)
{
	struct nlmsghdr *nlh;

	if (r->n == TG_RTNL_BATCH && tg_rtnl_flush(r))
		return NULL;
	/* Each message gets a slot of its own: none outgrows it. */
	nlh = mnl_nlmsg_put_header(r->batch + r->n * TG_RTNL_MSG_MAX);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	if (!r->n)
		r->first = r->seq;
	r->tags[r->n++] = tag;
	return nlh;
}

static int ext_msg_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		*(const char **)data = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* One ack: counts it, hands a refusal to on_err. */
static void ack(struct tg_rtnl *r, const struct nlmsghdr *nlh, unsigned int *left)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned int i = nlh->nlmsg_seq - r->first;
	const char *msg = "";

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e) || i >= r->n)
		return;
	(*left)--;
	if (!e->error)
		return;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(*e), ext_msg_cb, &msg);
	r->failed++;
	if (!r->err)
		r->err = e->error;
	if (r->on_err)
		r->on_err(r->data, r->tags[i], e->error, msg);
}

int tg_rtnl_flush(struct tg_rtnl *r)
{
	unsigned int i, left = r->n;
	int err = 0;

	for (i = 0; i < r->n; i++) {
		const struct nlmsghdr *nlh =
			(const void *)(r->batch + i * TG_RTNL_MSG_MAX);

		if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0) {
			err = -errno;
			tg_err("rtnetlink: couldn't send: %s", strerror(-err));
			goto out;
		}
	}
	while (left) {
		const struct nlmsghdr *nlh = (const void *)r->rcv;
		int len;

		len = mnl_socket_recvfrom(r->nl, r->rcv, sizeof(r->rcv));
		if (len < 0) {
			err = -errno;
			tg_err("rtnetlink: couldn't read the acks: %s", strerror(-err));
			goto out;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    mnl_nlmsg_portid_ok(nlh, r->portid))
				ack(r, nlh, &left);
	}
out:
	r->n = 0;
	return err;
}

struct dump_ctx {
	tg_rtnl_dump_fn fn;
	void *data;
	int err;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;

	c->err = c->fn(nlh, c->data);
	return c->err ? MNL_CB_ERROR : MNL_CB_OK;
}

int tg_rtnl_dump(struct tg_rtnl *r, unsigned short type, const void *hdr,
		 size_t hlen, tg_rtnl_dump_fn fn, void *data)
{
	struct dump_ctx c = { .fn = fn, .data = data };
	struct nlmsghdr *nlh;
	unsigned int seq;
	ssize_t len;
	int ret;

	nlh = mnl_nlmsg_put_header(r->batch);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq = ++r->seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hlen), hdr, hlen);
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(r->nl, r->rcv, sizeof(r->rcv));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run(r->rcv, len, seq, r->portid, dump_cb, &c);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return c.err ? c.err : -errno;
	return 0;
}
