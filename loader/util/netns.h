/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay's private network namespace: a fixed topology (two veth pairs,
 * addresses, default routes with permanent neighbours, forwarding on) so
 * that FIB lookups never depend on the host, plus optional `ip` commands
 * from a topology file.
 */
#ifndef TG_NETNS_H
#define TG_NETNS_H

#include <stddef.h>

#define TG_NETNS_SUB_IF "sub0"	/* packets enter here */
#define TG_NETNS_UP_IF "up0"	/* uplink: the default routes leave here */

struct tg_netns_ports {
	unsigned int sub_ifindex;
	unsigned int up_ifindex;
};

/*
 * Move the calling process into a new, empty network namespace (needs
 * CAP_SYS_ADMIN) and bring its loopback up. There is no way back: the
 * namespace and everything in it go away when the process exits.
 */
int tg_netns_enter_private(void);

/*
 * Wait, three seconds at most, until every IPv6 address of the current
 * namespace has its local route: a veth's addresses (nodad too) get theirs
 * a moment after its carrier, which comes a moment after 'ip link set up'
 * returns. Returns 0.
 */
int tg_netns_settle(void);

/* Build the default topology in the current namespace; fills ports. */
int tg_netns_default_topology(struct tg_netns_ports *ports);

/*
 * Run each non-empty, non-comment line of path as the arguments of `ip`.
 * The object (first word, or the second after -4/-6) must be one of link
 * addr route neigh rule; lines naming another namespace are refused.
 */
int tg_netns_apply_topo(const char *path);

/*
 * Run `ip` with argv (argv[0] is the first argument, NULL-terminated).
 * Its stdout goes to our stderr; on failure err holds its error output.
 */
int tg_netns_ip(char *const *argv, char *err, size_t errlen);

#endif /* TG_NETNS_H */
