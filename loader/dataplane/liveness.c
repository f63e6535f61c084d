// SPDX-License-Identifier: GPL-2.0-only
/* Liveness of subscribers from the times the data plane last heard them. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "dataplane/liveness.h"
#include "util/json.h"

#define NS 1000000000ULL

const char *tg_live_name(enum tg_live l)
{
	static const char *const names[TG_LIVE_MAX] = {
		[TG_LIVE_DOWN] = "down",
		[TG_LIVE_IDLE] = "idle",
		[TG_LIVE_UP] = "up",
	};

	return l < TG_LIVE_MAX ? names[l] : "?";
}

/* Whether t (0: never) lies within timeout_s before now. */
static bool within(__u64 t, __u64 now_ns, __u32 timeout_s)
{
	/* A time ahead of now: read after the program wrote it. */
	return t && (t >= now_ns || now_ns - t <= timeout_s * NS);
}

enum tg_live tg_live_state(const struct tg_seen *s, __u64 now_ns,
			   __u32 timeout_s)
{
	if (within(s->packet_ns, now_ns, timeout_s))
		return TG_LIVE_UP;
	if (within(s->keepalive_ns, now_ns, timeout_s))
		return TG_LIVE_IDLE;
	return TG_LIVE_DOWN;
}

__u64 tg_seen_last(const struct tg_seen *s)
{
	return s->packet_ns > s->keepalive_ns ? s->packet_ns : s->keepalive_ns;
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

void tg_clock_now(struct tg_clock *c)
{
	c->mono_ns = clock_ns(CLOCK_MONOTONIC);
	c->real_ns = clock_ns(CLOCK_REALTIME);
}

__u64 tg_clock_real(const struct tg_clock *c, __u64 t)
{
	if (!t)
		return 0;
	if (t >= c->mono_ns)
		return c->real_ns;
	return c->real_ns - (c->mono_ns - t);
}

void tg_fmt_ago(const struct tg_clock *c, __u64 t, char *buf, size_t len)
{
	__u64 s;

	if (!t) {
		snprintf(buf, len, "never");
		return;
	}
	s = t >= c->mono_ns ? 0 : (c->mono_ns - t) / NS;
	if (s < 60)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)s / 60,
			 (unsigned long long)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)s / 3600,
			 (unsigned long long)s / 60 % 60);
	else
		snprintf(buf, len, "%llud%02lluh",
			 (unsigned long long)s / 86400,
			 (unsigned long long)s / 3600 % 24);
}

static void live_json_time(struct json_writer *w, const char *name,
			   const struct tg_clock *c, __u64 t)
{
	if (t)
		jsonw_uint_field(w, name, tg_clock_real(c, t) / NS);
	else
		jsonw_null_field(w, name);
}

void tg_live_json(struct json_writer *w, const struct tg_clock *c,
		  enum tg_live st, const struct tg_seen *s)
{
	jsonw_string_field(w, "state", tg_live_name(st));
	live_json_time(w, "last_packet", c, s->packet_ns);
	live_json_time(w, "last_keepalive", c, s->keepalive_ns);
}

void tg_live_text(char *buf, size_t len, const struct tg_clock *c,
		  enum tg_live st, const struct tg_seen *s)
{
	char pk[16], ka[16];

	tg_fmt_ago(c, s->packet_ns, pk, sizeof(pk));
	tg_fmt_ago(c, s->keepalive_ns, ka, sizeof(ka));
	snprintf(buf, len, "%s: last packet %s%s, last keepalive %s%s",
		 tg_live_name(st), pk, s->packet_ns ? " ago" : "", ka,
		 s->keepalive_ns ? " ago" : "");
}

int tg_live_read_pinned(const char *pin_root, __u32 id, struct tg_live_at *a)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/tg_seen", pin_root);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(&a->seen, 0, sizeof(a->seen));
	if (bpf_map_lookup_elem(fd, &id, &a->seen))
		err = -errno;
	close(fd);
	tg_clock_now(&a->clock);
	return err;
}
