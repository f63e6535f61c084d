/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `tungate up` attached, as recorded under the pin root: one pin per
 * interface, named for the role and the kind of attachment.
 *
 *   link_sub_<IF>, link_up_<IF>   an XDP bpf_link (native or generic mode:
 *                                 the kernel tells which)
 *   tc_sub_<IF>, tc_up_<IF>       the program of a TC ingress filter
 *                                 (clsact, handle TG_TC_HANDLE, priority
 *                                 TG_TC_PRIO) that up added on IF
 */
#ifndef TG_ATTACH_H
#define TG_ATTACH_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#define TG_PIN_LINK_SUB "link_sub_"
#define TG_PIN_LINK_UP "link_up_"
#define TG_PIN_TC_SUB "tc_sub_"
#define TG_PIN_TC_UP "tc_up_"

/* The TC filters of up (ingress) and of tg0 (egress). */
#define TG_TC_HANDLE 1
#define TG_TC_PRIO 1

/* WIREGUARD_IN/OUT: the TC programs of a tgwgPORT interface (wg/). */
enum tg_role { TG_ROLE_SUBSCRIBER, TG_ROLE_UPLINK, TG_ROLE_EGRESS,
	       TG_ROLE_WIREGUARD_IN, TG_ROLE_WIREGUARD_OUT };

enum tg_mode { TG_MODE_NONE, TG_MODE_NATIVE, TG_MODE_GENERIC, TG_MODE_TC };

/* One recorded attachment, as found now. */
struct tg_attach {
	char pin[NAME_MAX + 1];		/* file name under the pin root */
	char ifname[IF_NAMESIZE];
	enum tg_role role;
	bool tc;			/* a tc_* pin, else a link_* one */
	enum tg_mode mode;		/* TG_MODE_NONE when stale */
	bool stale;			/* no longer attached to ifname */
	unsigned int ifindex;		/* of ifname now, 0: no such interface */
	__u32 prog_id;			/* the recorded program */
};

/*
 * "subscriber", "uplink", "egress", "wireguard-in", "wireguard-out";
 * "none", "native", "generic", "tc".
 */
const char *tg_role_name(enum tg_role role);
const char *tg_mode_name(enum tg_mode mode);

/*
 * Parse a pin name of the list above into a (role, tc, ifname, pin).
 * 0, or -ENOENT when the name is not one of them.
 */
int tg_attach_parse(const char *pin, struct tg_attach *a);

/*
 * Look at what the pin of a (parsed) under pin_root holds and where the
 * program is attached now: fills mode, stale, ifindex and prog_id. 0, or
 * negative errno when the pin cannot be read (not reported).
 */
int tg_attach_probe(const char *pin_root, struct tg_attach *a);
/* How many interfaces of role have a program of pin_root attached now. */
unsigned int tg_attach_count(const char *pin_root, enum tg_role role);
/* Whether up recorded a subscriber or uplink attachment on ifname. */
bool tg_attach_on(const char *pin_root, const char *ifname);
/* The program id of the TC filter of ours on ifindex's hook, 0: none. */
__u32 tg_tc_prog_id(unsigned int ifindex, enum bpf_tc_attach_point at);

#endif /* TG_ATTACH_H */
