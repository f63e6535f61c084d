/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's WireGuard through its generic netlink family ("wireguard",
 * include/uapi/linux/wireguard.h), over libmnl: a device's peers read and
 * set, never by running 'wg'.
 */
#ifndef TG_WG_NL_H
#define TG_WG_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "util/addr.h"

#define TG_WG_KEY_LEN 32
/*
 * The persistent keepalive of a peer whose endpoint is pinned (tungate
 * keeps the path open), and of every member's own configuration.
 */
#define TG_WG_KEEPALIVE_S 25
/* Said when the kernel has neither the link kind nor the family. */
#define TG_WG_NO_MODULE "the kernel has no WireGuard (load the module: modprobe wireguard)"
/* One request: the peers that fit, the next ones in the next request. */
#define TG_WG_NL_BUF 32768
/* Answers: a dump's messages are at most this long. */
#define TG_WG_NL_RCV 65536

struct mnl_socket;

struct tg_wg_nl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	__u16 family;		/* the "wireguard" family's id */
};

/* One peer to set (or remove) on a device. */
struct tg_wg_peer {
	__u8 key[TG_WG_KEY_LEN];
	bool remove;			/* take it away: nothing else is sent */
	__be32 ep_addr;			/* pinned endpoint; 0: learnt */
	const __u8 *ep_addr6;		/* or IPv6 (16 bytes); NULL: none */
	__u16 ep_port;			/* host order */
	__u16 keepalive;		/* s, 0: none */
	const struct tg_prefix *allowed;	/* replace its allowed IPs */
	unsigned int nallowed;
	bool same_allowed;		/* the kernel has them: not sent */
	bool same_keepalive;		/* likewise */
};

/* The device side of a set: its key and port, when given. */
struct tg_wg_dev {
	const char *ifname;
	const __u8 *private_key;	/* NULL: left as it is */
	__u16 port;			/* 0: left as it is */
};

/*
 * Open a socket and find the family. 0, -ENOENT when the kernel has no
 * WireGuard (err says so), or another negative errno (err says why).
 */
int tg_wg_nl_open(struct tg_wg_nl *w, char *err, size_t errlen);
void tg_wg_nl_close(struct tg_wg_nl *w);

/*
 * A WG_CMD_SET_DEVICE message into buf (len bytes) with the device's
 * attributes and peers[first..n) as far as they fit (at least one, or
 * none when it alone does not fit). Returns the index after the last peer
 * put; *msg_len the message's length. For tests of the encoding too.
 */
size_t tg_wg_nl_put_set(void *buf, size_t len, __u16 family, __u32 seq,
			const struct tg_wg_dev *d, const struct tg_wg_peer *peers,
			size_t first, size_t n, size_t *msg_len);

/*
 * Set the device and its peers, in as many requests as they need (the
 * device's key and port in the first). 0 or a negative errno with the
 * kernel's reason in err.
 */
int tg_wg_nl_set(struct tg_wg_nl *w, const struct tg_wg_dev *d,
		 const struct tg_wg_peer *peers, size_t n, char *err,
		 size_t errlen);

/* What the kernel says of one peer of a device. */
struct tg_wg_peer_state {
	__u8 key[TG_WG_KEY_LEN];
	__s64 handshake;		/* Unix s of the last one; 0: never */
	__u16 ep_family;		/* AF_INET, AF_INET6; 0: no endpoint */
	__u16 ep_port;			/* host order */
	__u8 ep_addr[16];		/* network order, 4 bytes for AF_INET */
	__u64 rx_bytes, tx_bytes;
	__u16 keepalive;		/* s, 0: none */
	size_t allowed_at;		/* its allowed IPs in the state's */
	unsigned int nallowed;
};

/* What a device has: its port, its public key, its peers. */
struct tg_wg_state {
	__u16 port;
	bool has_public;
	__u8 public_key[TG_WG_KEY_LEN];
	struct tg_wg_peer_state *peers;	/* owned */
	size_t npeers;
	struct tg_prefix *allowed;	/* owned: every peer's, in turn */
	size_t nallowed;
};

void tg_wg_state_free(struct tg_wg_state *s);

/*
 * Add what one message of a WG_CMD_GET_DEVICE dump says to s: the device's
 * port and key, its peers (a peer whose allowed IPs go on in this message
 * is the last one of the one before: counted once). 0 or a negative errno.
 */
int tg_wg_nl_read_dev(const void *nlh, struct tg_wg_state *s);

/* Read ifname's state: 0 or a negative errno (-ENODEV: no such device). */
int tg_wg_nl_get(struct tg_wg_nl *w, const char *ifname,
		 struct tg_wg_state *s, char *err, size_t errlen);

#endif /* TG_WG_NL_H */
