/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Liveness of subscribers: when the data plane last heard each one
 * (tg_seen) and the state that makes: up (traffic within the timeout),
 * idle (only keepalives or control within it), down (silent for longer,
 * or never heard).
 */
#ifndef TG_LIVENESS_H
#define TG_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "tungate.h"

enum tg_live {
	TG_LIVE_DOWN,
	TG_LIVE_IDLE,
	TG_LIVE_UP,
	TG_LIVE_MAX,
};

/* "down", "idle", "up". */
const char *tg_live_name(enum tg_live l);
/* State of s at now_ns (CLOCK_MONOTONIC) with a timeout of timeout_s. */
enum tg_live tg_live_state(const struct tg_seen *s, __u64 now_ns,
			   __u32 timeout_s);
/* The later of the two times of s: 0 when never heard. */
__u64 tg_seen_last(const struct tg_seen *s);

/* CLOCK_MONOTONIC and CLOCK_REALTIME now, read together. */
struct tg_clock {
	__u64 mono_ns;
	__u64 real_ns;
};
void tg_clock_now(struct tg_clock *c);
/* CLOCK_REALTIME ns of a CLOCK_MONOTONIC time t; 0 stays 0. */
__u64 tg_clock_real(const struct tg_clock *c, __u64 t);
/* How long before now t was: "never", "0s", "42s", "5m07s", "3h02m", "4d05h". */
void tg_fmt_ago(const struct tg_clock *c, __u64 t, char *buf, size_t len);

struct json_writer;
/*
 * The fields "state", "last_packet" and "last_keepalive" (Unix seconds,
 * null: never) of a subscriber's state st and times s read at c.
 */
void tg_live_json(struct json_writer *w, const struct tg_clock *c,
		  enum tg_live st, const struct tg_seen *s);
/* The same as text: "up: last packet 3s ago, last keepalive never". */
void tg_live_text(char *buf, size_t len, const struct tg_clock *c,
		  enum tg_live st, const struct tg_seen *s);

/* One subscriber's tg_seen as read, with the clock and timeout to judge it. */
struct tg_live_at {
	struct tg_seen seen;
	struct tg_clock clock;
	__u32 timeout_s;
};

static inline enum tg_live tg_live_at_state(const struct tg_live_at *a)
{
	return tg_live_state(&a->seen, a->clock.mono_ns, a->timeout_s);
}

/*
 * tg_seen[id] of the maps pinned under pin_root into a (its timeout left
 * alone). 0, -ENOENT (no data plane there, or an older one without
 * tg_seen) or negative errno.
 */
int tg_live_read_pinned(const char *pin_root, __u32 id, struct tg_live_at *a);

#endif /* TG_LIVENESS_H */
