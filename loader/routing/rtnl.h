/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtnetlink through libmnl: requests sent in batches, each acknowledged on
 * its own so that the kernel's verdict on every one reaches its caller,
 * and dumps.
 */
#ifndef TG_RTNL_H
#define TG_RTNL_H

#include <stddef.h>
#include <linux/netlink.h>

/* Requests in flight at most: their acks fit any socket buffer. */
#define TG_RTNL_BATCH 64
#define TG_RTNL_MSG_MAX 256
#define TG_RTNL_RCV_SIZE 32768

/*
 * The kernel refused the request tagged tag with -err; msg is its extended
 * ack text or "".
 */
typedef void (*tg_rtnl_err_fn)(void *data, long tag, int err, const char *msg);
/* One message of a dump; returns 0 or a negative errno to stop it. */
typedef int (*tg_rtnl_dump_fn)(const struct nlmsghdr *nlh, void *data);

struct mnl_socket;

struct tg_rtnl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;	/* of the last message put */
	unsigned int first;	/* seq of the batch's first message */
	unsigned int n;		/* messages in the batch */
	size_t len;		/* bytes in the batch */
	long tags[TG_RTNL_BATCH];
	tg_rtnl_err_fn on_err;
	void *data;
	unsigned int failed;	/* requests refused since open */
	int err;		/* the first refusal's negative errno */
	char batch[TG_RTNL_BATCH * TG_RTNL_MSG_MAX];
	char rcv[TG_RTNL_RCV_SIZE];
};

/* Returns 0 or a negative errno (reported). */
int tg_rtnl_open(struct tg_rtnl *r, tg_rtnl_err_fn on_err, void *data);
void tg_rtnl_close(struct tg_rtnl *r);

/*
 * A new request of the given type with NLM_F_REQUEST | NLM_F_ACK | flags,
 * tagged for tg_rtnl_err_fn, room for TG_RTNL_MSG_MAX bytes. Sends the
 * batch first when it is full. NULL on a socket error (reported).
 */
struct nlmsghdr *tg_rtnl_put(struct tg_rtnl *r, unsigned short type,
			     unsigned short flags, long tag);
/*
 * Sends the batch and reads an ack for each request. Returns 0 or a
 * negative errno when the socket failed (reported); refusals go to
 * on_err and are counted in r->failed.
 */
int tg_rtnl_flush(struct tg_rtnl *r);
/*
 * A dump of type with the family header hdr (len bytes), fn called on
 * each message; no batch may be pending. Returns 0 or a negative errno
 * (the kernel's, or fn's).
 */
int tg_rtnl_dump(struct tg_rtnl *r, unsigned short type, const void *hdr,
		 size_t len, tg_rtnl_dump_fn fn, void *data);

#endif /* TG_RTNL_H */
