/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Established tunnels and sessions as one line of text each, so that a
 * new process takes them over where the old one stopped: the peers never
 * notice a restart or an upgrade. A tunnel keeps its ids, peer and Ns/Nr;
 * a session its ids and the PPP it negotiated (magic numbers, options,
 * addresses), its network protocols open.
 */
#ifndef TG_LNS_PERSIST_H
#define TG_LNS_PERSIST_H

#include <stddef.h>
#include "lns/tunnel.h"

#define LNS_STATE_MAX 1024

/* The line of t or s: its length, or -ENOSPC. */
int lns_tunnel_save(const struct lns_tunnel *t, char *buf, size_t len);
int lns_session_save(const struct lns_session *s, char *buf, size_t len);

/* Take over a tunnel, then its sessions: 0, or -EINVAL (bad or clashing
 * line) or -ENOMEM. The session names its tunnel; *out is the new one. */
int lns_tunnel_load(struct lns *l, const char *line, uint64_t now);
int lns_session_load(struct lns *l, const char *line, uint64_t now,
		     struct lns_session **out);

#endif /* TG_LNS_PERSIST_H */
