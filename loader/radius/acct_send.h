/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The thread that sends accounting records with radcli, one at a time:
 * rc_acct blocks for up to timeout x retries x servers, the daemon never.
 * The result is announced on an eventfd.
 */
#ifndef TG_RADIUS_ACCT_SEND_H
#define TG_RADIUS_ACCT_SEND_H

#include <stdbool.h>
#include "radius/acct.h"
#include "radius/acct_queue.h"

struct tg_acct_sender;

/* Results of a send. */
enum tg_acct_sent {
	TG_ACCT_SENT_OK,		/* a server answered */
	TG_ACCT_SENT_NONE,		/* no server answered: again later */
	TG_ACCT_SENT_BAD,		/* radcli refused the record */
};

/*
 * The radcli handle (servers "host[:port]" get cfg's secret, port 1813
 * when none) and the thread: 0 or negative errno, reported.
 */
int tg_acct_sender_open(const struct tg_acct_config *cfg,
			struct tg_acct_sender **out);
void tg_acct_sender_close(struct tg_acct_sender *s);
int tg_acct_sender_fd(const struct tg_acct_sender *s);
/* Send r with Acct-Delay-Time delay; -EBUSY while one is on its way. */
int tg_acct_sender_post(struct tg_acct_sender *s, const struct tg_acct_rec *r,
			__u32 delay);
/* The result of the last post: 1 with *res, 0 when none yet. */
int tg_acct_sender_result(struct tg_acct_sender *s, enum tg_acct_sent *res);

/*
 * The radcli server list for cfg: "host:port:secret,..." into buf.
 * 0, -EINVAL (a bad entry, or none) or -ENOSPC.
 */
int tg_acct_server_list(const char *servers, const char *secret, char *buf,
			size_t len);

#endif /* TG_RADIUS_ACCT_SEND_H */
