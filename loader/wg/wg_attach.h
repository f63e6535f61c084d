/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data plane on tungate's WireGuard interfaces: the programs of
 * bpf/wg.bpf.c (tg_wg_in on the clsact ingress hook, tg_wg_out on
 * egress, filters TG_TC_HANDLE / TG_TC_PRIO), pinned by `up` under the
 * pin root so that a sync that makes an interface attaches them there.
 * Without the pins (no `up` yet, or `down`) the interfaces run without
 * them.
 */
#ifndef TG_WG_ATTACH_H
#define TG_WG_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#define TG_WG_PIN_IN "prog_wg_in"
#define TG_WG_PIN_OUT "prog_wg_out"

/*
 * Pin the programs (fds) as TG_WG_PIN_IN/OUT, replacing earlier pins in
 * one rename each. 0 or -errno with err.
 */
int tg_wg_progs_pin(const char *pin_root, int in_fd, int out_fd, char *err,
		    size_t errlen);

/*
 * Attach the pinned programs to ifname, replacing ours there: 0 with
 * *attached, false when nothing is pinned; -errno with err.
 */
int tg_wg_attach(const char *pin_root, const char *ifname, bool *attached,
		 char *err, size_t errlen);

/*
 * The same on every tgwgPORT interface there is: their count, or -errno
 * with err.
 */
int tg_wg_attach_all(const char *pin_root, char *err, size_t errlen);

/*
 * Take our filters off every tgwgPORT interface and remove the pins;
 * each interface's name to done(ctx, name). 0 or the first error of
 * done.
 */
int tg_wg_detach_all(const char *pin_root,
		     int (*done)(void *ctx, const char *name), void *ctx);

/* Whether ifname runs the pinned programs on both hooks now. */
bool tg_wg_attached(const char *pin_root, const char *ifname);

#endif /* TG_WG_ATTACH_H */
