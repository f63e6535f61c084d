/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keys, values and constants shared by the BPF programs and userspace.
 * This is the only definition of each: never copy a struct out of here.
 *
 * Byte order: fields named *_be / typed __be* are network order; all other
 * multi-byte fields are host order.
 */
#ifndef TUNGATE_MAPS_H
#define TUNGATE_MAPS_H

#include <linux/types.h>

#define TG_PIN_ROOT_DEFAULT "/sys/fs/bpf/tungate"

/*
 * Default capacity of the data plane; the loader may size the maps
 * differently before they are first created. Subscriber ids run
 * 1..capacity-1; 0 means "no subscriber".
 */
#define TG_MAX_SUBS_DEFAULT (1U << 17)
/* Prefixes per family over all subscribers, per subscriber slot. */
#define TG_PREFIXES_PER_SUB 2
/* Interfaces tungate may redirect to. */
#define TG_MAX_PORTS 64

#define TG_VLAN_MAX_DEPTH 2
#define TG_L2TP_UDP_PORT 1701

/* Tunnel types. Values are stable: they are stored in pinned maps. */
enum tg_tunnel_type {
	TG_TUN_NONE = 0,
	TG_TUN_IPIP = 1,	/* IPv4 in IPv4, IP protocol 4 */
	TG_TUN_SIT = 2,		/* IPv6 in IPv4 (6in4), IP protocol 41 */
	TG_TUN_GRE = 3,		/* GRE v0, IPv4/IPv6 payload, keyed or keyless */
	TG_TUN_GRETAP = 4,	/* GRE v0, transparent Ethernet bridging 0x6558 */
	TG_TUN_EOIP = 5,	/* MikroTik EoIP: GRE v1, 0x6400, 16-bit id */
	TG_TUN_L2TPV3_IP = 6,	/* L2TPv3 over IP protocol 115, Ethernet PW */
	TG_TUN_L2TPV3_UDP = 7,	/* L2TPv3 over UDP, Ethernet pseudowire */
	TG_TUN_L2TPV2 = 8,	/* L2TPv2 data over UDP, PPP */
	/*
	 * WireGuard: the kernel's own interface carries it; never in the
	 * tunnel maps (tungate keeps the interface's peers instead).
	 */
	TG_TUN_WIREGUARD = 9,
	TG_TUN_MAX,
};

/* tg_tun_key.flags */
#define TG_KEY_F_KEYED 0x01	/* GRE/gretap: the key field is present */

/*
 * Tunnel identity, as seen on a packet from the subscriber: outer source is
 * the subscriber's (remote) address, outer destination the concentrator's.
 * id: GRE key, EoIP tunnel id, L2TPv3 session id, or for L2TPv2
 * (tunnel id << 16 | session id); 0 for IPIP and 6in4.
 */
struct tg_tun_key {
	__be32 remote;
	__be32 local;
	__u32 id;
	__u8 type;		/* enum tg_tunnel_type */
	__u8 flags;		/* TG_KEY_F_* */
	__u16 pad;		/* must be zero */
};
_Static_assert(sizeof(struct tg_tun_key) == 16, "tg_tun_key layout");

/*
 * Generations. Each subscriber's configuration has two slots, 0 and 1:
 * tg_encap/tg_police hold slot 0, tg_encap1/tg_police1 slot 1, and
 * tg_gen[sub_id] the slot in force. The keys a subscriber answers to
 * (tg_tunnels, tg_prefix4/6) carry claims: a claim names a sub_id and a
 * slot, and holds while that slot is in force. To change a subscriber,
 * sync writes the slot not in force and the claims of the new slot, flips
 * tg_gen[sub_id] (one write, of which only the lowest byte changes), then
 * takes the claims of the old slot away: a packet sees every entry of a
 * subscriber old or every entry new, never a mix, even when sync is
 * killed half-way. Counters, peer state and token buckets are per sub_id
 * and shared by both slots. A key holds at most two claims: its owner in
 * the slot in force and, while a sync runs, the new slot's (its own owner
 * again or the subscriber the key moves to).
 */
#define TG_CLAIM_SLOT 0x80000000U	/* the slot bit of a claim */
#define TG_CLAIM_ID 0x7fffffffU		/* the sub_id bits of a claim */
#define TG_CLAIM(id, slot) ((__u32)(id) | ((__u32)(slot) ? TG_CLAIM_SLOT : 0))
#define TG_CLAIM_ID_OF(c) ((c) & TG_CLAIM_ID)
#define TG_CLAIM_SLOT_OF(c) ((c) >> 31)
#define TG_CLAIMS 2

/* tg_tun_claim.flags */
#define TG_TUN_F_L2SPEC 0x01	/* L2TPv3: default L2-specific sublayer present */
#define TG_TUN_F_MSS_CLAMP 0x02	/* clamp the MSS of TCP SYNs to the tunnel MTU */

/* One claim on a tunnel identity, with what its slot says of the tunnel. */
struct tg_tun_claim {
	__u32 claim;		/* TG_CLAIM(sub_id, slot); 0: none */
	__u16 mtu;		/* inner MTU of the tunnel */
	__u8 flags;		/* TG_TUN_F_* */
	__u8 cookie_len;	/* L2TPv3: 0, 4 or 8 */
	__u8 cookie[8];		/* L2TPv3 cookie, wire order */
};
_Static_assert(sizeof(struct tg_tun_claim) == 16, "tg_tun_claim layout");

/*
 * Value of tg_tunnels. The data plane takes the first claim that holds.
 * (Layout 1 had one claim of slot 0 and zeroes where c[1] is: its entries
 * read the same in this layout.)
 */
struct tg_tunnel {
	struct tg_tun_claim c[TG_CLAIMS];
};
_Static_assert(sizeof(struct tg_tunnel) == 32, "tg_tunnel layout");

/* tg_encap.flags */
#define TG_ENC_F_GRE_KEY 0x0001		/* GRE/gretap: send the key */
#define TG_ENC_F_GRE_CSUM 0x0002	/* GRE: send a checksum */
#define TG_ENC_F_GRE_SEQ 0x0004		/* GRE: send sequence numbers */
#define TG_ENC_F_DF 0x0008		/* set DF on the outer IPv4 header */
#define TG_ENC_F_UDP_CSUM 0x0010	/* L2TP over UDP: compute UDP checksum */
#define TG_ENC_F_MSS_CLAMP 0x0020	/* clamp TCP MSS to the tunnel MTU */
#define TG_ENC_F_L2SPEC 0x0040		/* L2TPv3: send the default sublayer */
#define TG_ENC_F_PEER_MAC 0x0080	/* peer_mac is configured, not learnt */
#define TG_ENC_F_PPP_ACFC 0x0100	/* L2TPv2: omit the FF03 PPP header */

/*
 * How to send toward a subscriber: tg_encap[sub_id] (slot 0) or
 * tg_encap1[sub_id] (slot 1), written by sync. An all-zero entry (type
 * TG_TUN_NONE) means no subscriber.
 */
struct tg_encap {
	__be32 remote;		/* outer destination: the subscriber's endpoint */
	__be32 local;		/* outer source: the concentrator's endpoint */
	__u32 peer_id;		/* GRE key, EoIP tunnel id, L2TPv3 peer session
				 * id, L2TPv2 peer tunnel id << 16 | peer
				 * session id; host order */
	__u16 flags;		/* TG_ENC_F_* */
	__u8 type;		/* enum tg_tunnel_type */
	__u8 ttl;		/* outer TTL, 0: tg_config.default_ttl */
	__u16 mtu;		/* largest inner packet the tunnel carries */
	__u16 peer_port;	/* L2TP over UDP: destination port, host order;
				 * 0: the port learnt in tg_peer, else 1701 */
	__u16 local_port;	/* L2TP over UDP: source port, host order */
	__u8 cookie_len;	/* L2TPv3 peer cookie: 0, 4 or 8 */
	__u8 pad;		/* must be zero */
	__u8 peer_cookie[8];	/* L2TPv3 peer cookie, wire order */
	__u8 peer_mac[6];	/* inner Ethernet destination when configured */
	__u8 pad2[2];		/* must be zero */
};
_Static_assert(sizeof(struct tg_encap) == 40, "tg_encap layout");

/*
 * What the data plane learns from a subscriber's own traffic:
 * tg_peer[sub_id], written by the programs only (sync zeroes it when a
 * sub_id is given to a new subscriber).
 */
struct tg_peer {
	__u8 mac[6];		/* inner Ethernet source of its last frame */
	__u16 udp_port;		/* outer UDP source port, host order */
	__u32 gre_seq;		/* next GRE sequence number to send */
	__u16 ip_id;		/* next outer IPv4 id when DF is clear */
	__u16 pad;		/* must be zero */
};
_Static_assert(sizeof(struct tg_peer) == 16, "tg_peer layout");

/*
 * Per-CPU entry 0 of tg_icmp_rate: ICMP "too big" replies sent by this CPU
 * in the current one-second window.
 */
struct tg_rate {
	__u64 window_ns;	/* bpf_ktime_get_ns() at the window's start */
	__u32 sent;		/* replies sent in the window */
	__u32 pad;		/* must be zero */
};
_Static_assert(sizeof(struct tg_rate) == 16, "tg_rate layout");

/*
 * LPM keys of the subscriber prefix tries (value: struct tg_owners) and of
 * the community tries (value: __u32 1).
 */
struct tg_lpm4_key {
	__u32 prefixlen;
	__be32 addr;
};
_Static_assert(sizeof(struct tg_lpm4_key) == 8, "tg_lpm4_key layout");

struct tg_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};
_Static_assert(sizeof(struct tg_lpm6_key) == 20, "tg_lpm6_key layout");

/*
 * Value of tg_prefix4/6: the claims on a prefix, 0 where none; the data
 * plane takes the first that holds. (Layout 1 had one __u32 sub_id:
 * zero-extended it is a claim of slot 0.)
 */
struct tg_owners {
	__u32 claim[TG_CLAIMS];
};
_Static_assert(sizeof(struct tg_owners) == 8, "tg_owners layout");

/*
 * Subscriber prefixes by hash: tg_pfx4/tg_pfx6 hold the entries of
 * tg_prefix4/6 (same keys, prefix bits only, and values), and
 * tg_pfx_lens[0] (IPv4) and [1] (IPv6) the prefix lengths they hold. The
 * data plane probes the hash once per length, longest first, and takes
 * the first entry found: the trie's longest match, without walking the
 * trie. It reads the trie instead when the set in force is not filled
 * (maps made by a build before these, not yet synced) or lists more than
 * TG_PFX_LENS_MAX lengths.
 *
 * Sync writes a new set into the set not in force, then flips in_force
 * (a second write, of which only the lowest byte changes): a packet reads
 * one whole set, old or new. Lengths are added before the entries of that
 * length and dropped after them (by a full comparison of the maps only:
 * an incremental sync does not know whether others of its length remain),
 * so the set in force lists every length of the hash, and perhaps more.
 */
#define TG_PFX_LENS_MAX 8

struct tg_pfx_set {
	__u8 filled;		/* 1: the hash holds what the trie holds */
	__u8 n;			/* lengths in use; > TG_PFX_LENS_MAX: too
				 * many, len[] holds the longest only */
	__u8 len[TG_PFX_LENS_MAX];	/* longest first */
	__u8 pad[6];		/* must be zero */
};
_Static_assert(sizeof(struct tg_pfx_set) == 16, "tg_pfx_set layout");

struct tg_pfx_lens {
	__u32 in_force;		/* the set the data plane reads: 0 or 1 */
	__u32 pad;		/* must be zero */
	struct tg_pfx_set set[2];
};
_Static_assert(sizeof(struct tg_pfx_lens) == 40, "tg_pfx_lens layout");

/* tg_pfx_lens keys. */
#define TG_PFX_V4 0
#define TG_PFX_V6 1

/* tg_config.flags */
#define TG_CFG_F_DROP_UNKNOWN 0x01	/* drop packets of unknown tunnels */
#define TG_CFG_F_SCOPE_ICMP 0x02	/* answer scope drops with ICMP
					 * administratively prohibited */

/* Single entry (key 0) of the tg_config array map, written by sync. */
struct tg_config {
	__u32 flags;		/* TG_CFG_F_* */
	__u16 l2tpv3_udp_port;	/* host order; 0 disables L2TPv3 over UDP */
	__u16 l2tpv2_udp_port;	/* host order; 0 disables L2TPv2 */
	__u8 gw_mac[6];		/* our MAC inside Ethernet tunnels */
	__u8 default_ttl;	/* outer TTL of encapsulated packets, 0: 64 */
	__u8 pad;		/* must be zero */
	__u32 reserved[4];	/* must be zero */
};
_Static_assert(sizeof(struct tg_config) == 32, "tg_config layout");

enum tg_dir {
	TG_DIR_UP = 0,		/* from the subscriber (decapsulated) */
	TG_DIR_DOWN = 1,	/* toward the subscriber (encapsulated) */
	TG_DIR_MAX,
};

/*
 * Policing: rates count the inner IP packet's bytes. Time is kept as a
 * theoretical arrival time (GCRA) in ns of bpf_ktime_get_ns(): a packet of
 * n bytes costs n * interval >> TG_RATE_SHIFT ns and is admitted when the
 * arrival time it would leave is no more than tolerance ns ahead of now.
 */
#define TG_RATE_SHIFT 24

/* tg_police.flags */
#define TG_RATE_F_COMMUNITY 0x01	/* may reach community prefixes only */

/*
 * tg_police.src: which of the subscriber's own prefixes the entry holds,
 * for the anti-spoofing check of its traffic (maps/srcpfx.h). SRC_V4: src4
 * (when SRC_4) is every IPv4 prefix it has, so the check needs nothing
 * else; likewise SRC_V6 and src6 (SRC_6A, SRC_6B: the first 64 bits of
 * prefixes of at most /64). A family without its flag (more prefixes
 * than fit, a longer IPv6 prefix, an entry of layout 2) is looked up in
 * tg_pfx4/6 or the tries as before.
 */
#define TG_SRC_V4 0x01		/* src4 decides IPv4 sources */
#define TG_SRC_V6 0x02		/* src6 decides IPv6 sources */
#define TG_SRC_4 0x04		/* src4 holds a prefix */
#define TG_SRC_6A 0x08		/* src6[0] holds a prefix */
#define TG_SRC_6B 0x10		/* src6[1] holds a prefix */
#define TG_SRC6_MAX 2

/*
 * tg_police[sub_id] (slot 0) or tg_police1[sub_id] (slot 1), written by
 * sync from the class and the overrides, and from the subscriber's
 * prefixes: the state every packet of the subscriber reads, in one cache
 * line (64 bytes; the array's values lie 64 bytes apart). (Layout 2 had
 * the first 40 bytes: zero-extended, its entries send every packet to
 * the prefix maps, as then.)
 */
struct tg_police {
	__u64 interval[TG_DIR_MAX];	/* ns per byte << TG_RATE_SHIFT; 0:
					 * unlimited (no bucket) */
	__u64 tolerance[TG_DIR_MAX];	/* ns: burst bytes at the rate */
	__u32 flags;			/* TG_RATE_F_* */
	__u32 pad;			/* must be zero */
	__be32 src4;			/* its IPv4 prefix, host bits zero */
	__be32 src6[TG_SRC6_MAX][2];	/* its IPv6 prefixes' first 64 bits */
	__u8 src4_len;			/* prefix length of src4 */
	__u8 src6_len[TG_SRC6_MAX];	/* prefix lengths of src6, <= 64 */
	__u8 src;			/* TG_SRC_* */
};
_Static_assert(sizeof(struct tg_police) == 64, "tg_police layout");

/*
 * tg_bucket[sub_id]: GCRA state, written by the programs only (sync zeroes
 * it when a sub_id is given to a new subscriber and never touches it
 * otherwise). tat = theoretical arrival time in ns of bpf_ktime_get_ns();
 * 0 (or any time in the past) = a full burst is available. Each tat is
 * updated with a compare-and-swap by whichever CPU sees the packet (see
 * bpf/lib/police.h for why), so the state is shared, not per CPU.
 */
struct tg_bucket {
	__u64 tat[TG_DIR_MAX];	/* ns; by enum tg_dir */
};
_Static_assert(sizeof(struct tg_bucket) == 16, "tg_bucket layout");

/*
 * Reasons: why the program did what it did with a packet. The values are
 * stable (they index pinned counters) and the names are what the CLI
 * prints: X(ENUM, value, name). Values below TG_R_SUB_MAX are also counted
 * per subscriber; the gaps are kept for later per-subscriber reasons.
 */
#define TG_REASONS(X)                                                        \
	X(OK, 0, "ok")                   /* decapsulated, redirected */        \
	X(SPOOFED_SRC, 1, "spoofed_src") /* drop: inner source not his */     \
	X(BAD_COOKIE, 2, "bad_cookie")   /* drop: L2TPv3 cookie mismatch */    \
	X(GRE_BAD_CSUM, 3, "gre_bad_csum") /* drop: GRE checksum wrong */      \
	X(INNER_MALFORMED, 4, "inner_malformed") /* drop: inner not IP */      \
	X(CONTROL, 5, "control")         /* pass untouched: tunnel control */  \
	X(TTL_EXPIRED, 6, "ttl_expired") /* pass decapsulated, for ICMP */     \
	X(UNSUPPORTED_PAYLOAD, 7, "unsupported_payload") /* pass untouched */  \
	X(TOO_BIG, 8, "too_big")         /* over the tunnel MTU: ICMP sent */  \
	X(NO_PEER_MAC, 9, "no_peer_mac") /* drop: Ethernet peer MAC unknown */ \
	X(POLICED_UP, 10, "policed_up")  /* drop: over the upstream rate */   \
	X(POLICED_DOWN, 11, "policed_down") /* drop: over the downstream rate */ \
	X(SCOPE, 12, "scope")            /* drop: outside a community scope */ \
	X(RESERVED_DST, 13, "reserved_dst") /* drop: to no one's address */    \
	X(KEEPALIVE, 14, "keepalive")    /* tx: EoIP/GRE keepalive answered */ \
	X(FIB_NO_NEIGH, 16, "fib_no_neigh")   /* pass decapsulated */          \
	X(FIB_BLACKHOLE, 17, "fib_blackhole") /* drop */                       \
	X(FIB_UNREACHABLE, 18, "fib_unreachable") /* pass decapsulated */      \
	X(FIB_PROHIBIT, 19, "fib_prohibit")   /* drop */                       \
	X(FIB_NOT_FWDED, 20, "fib_not_fwded") /* pass decapsulated: local */   \
	X(FIB_FWD_DISABLED, 21, "fib_fwd_disabled") /* pass decapsulated */    \
	X(FIB_FRAG_NEEDED, 22, "fib_frag_needed") /* pass decapsulated */      \
	X(FIB_OTHER, 23, "fib_other")         /* pass decapsulated */          \
	X(EGRESS_UNMANAGED, 24, "egress_unmanaged") /* pass decapsulated */    \
	X(NOT_TUNNEL, 32, "not_tunnel")       /* pass: not a tunnel of ours */ \
	X(OUTER_FRAGMENT, 33, "outer_fragment") /* pass: kernel reassembles */ \
	X(UNKNOWN_TUNNEL, 34, "unknown_tunnel") /* pass, or drop by config */  \
	X(TRUNCATED, 35, "truncated")         /* pass: header cut short */     \
	X(GRE_UNSUPPORTED, 36, "gre_unsupported") /* pass: routing, version */ \
	X(INTERNAL, 37, "internal")           /* drop: a helper failed */    \
	X(NOT_SUBSCRIBER, 38, "not_subscriber") /* pass: no subscriber's */   \
	X(FRAG_NEEDED_LOCAL, 39, "frag_needed_local") /* pass: kernel frags */ \
	X(NEIGH_REPLY, 40, "neigh_reply")     /* tx: ARP/ND answered */

#define TG_REASON_ENUM(e, v, n) TG_R_##e = v,
enum tg_reason {
	TG_REASONS(TG_REASON_ENUM)
	TG_R_MAX = 48,
};
#undef TG_REASON_ENUM

/* Reasons below this value are also counted per subscriber. */
#define TG_R_SUB_MAX 16

/* One CPU's counters of one subscriber (summed: the subscriber's). */
struct tg_sub_counters {
	__u64 packets[TG_DIR_MAX];	/* its traffic: tg_reason_is_traffic() */
	__u64 bytes[TG_DIR_MAX];	/* inner IP bytes of those */
	__u64 reasons[TG_R_SUB_MAX];	/* packets by reason, any direction */
};
_Static_assert(sizeof(struct tg_sub_counters) == 160, "tg_sub_counters layout");

/*
 * tg_sub_stats is a flat array (BPF_F_MMAPABLE: its values start on a
 * page) of one tg_sub_line per subscriber and CPU, at sub_id * ncpus +
 * cpu, ncpus being the possible CPUs (tg_ncpus of the programs, set at
 * load). One lookup, one cache line for a packet's counters: a per-CPU
 * array goes through a table of pointers first, two misses in a row once
 * many subscribers are active. Three whole lines per entry: the hot
 * fields (packets, bytes, the first reasons) share the first one, and
 * two CPUs counting the same subscriber never write the same line.
 */
struct tg_sub_line {
	struct tg_sub_counters c;
	__u64 pad[4];
};
_Static_assert(sizeof(struct tg_sub_line) == 192, "tg_sub_line layout");

/*
 * tg_seen[sub_id]: when the subscriber was last heard through its tunnel,
 * in bpf_ktime_get_coarse_ns() time (CLOCK_MONOTONIC); 0: not since the
 * sub_id was given to it. Written by the subscriber-side programs only
 * (sync zeroes it when a sub_id goes to a new subscriber). keepalive_ns:
 * the last packet that only keeps the link up (reasons KEEPALIVE and
 * CONTROL: EoIP and GRE keepalives, L2TP and PPP control); packet_ns:
 * the last of any other packet, at most TG_SEEN_GRAIN_NS old when more
 * recent ones came (it is rewritten no more often than that).
 */
#define TG_SEEN_GRAIN_NS 1000000000ULL
struct tg_seen {
	__u64 packet_ns;
	__u64 keepalive_ns;
};
_Static_assert(sizeof(struct tg_seen) == 16, "tg_seen layout");

/* Per-CPU value of tg_global_stats, indexed by enum tg_reason. */
struct tg_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct tg_counter) == 16, "tg_counter layout");

/* Per-CPU entry 0 of tg_trace: the last packet's outcome (replay only). */
struct tg_trace {
	__u32 reason;		/* enum tg_reason */
	__u32 sub_id;		/* 0 when no subscriber was found */
	__u32 ifindex;		/* redirect target, 0 when none */
	__u32 seq;		/* incremented per packet */
};
_Static_assert(sizeof(struct tg_trace) == 16, "tg_trace layout");

/*
 * Entry 0 of tg_meta: bookkeeping of the data plane itself, written by
 * userspace only (up, sync) and read by status and the metrics. layout is
 * the TG_LAYOUT_VERSION the pinned maps were made with.
 */
#define TG_LAYOUT_VERSION 4
#define TG_VERSION_LEN 32
struct tg_meta {
	__u32 layout;			/* TG_LAYOUT_VERSION of the maps */
	__s32 sync_result;		/* 0, or negative errno of the last sync */
	__u64 sync_time;		/* CLOCK_REALTIME ns of the last sync, 0: none */
	__u64 sync_count;		/* syncs since the maps were made */
	__u64 up_time;			/* CLOCK_REALTIME ns of the last up */
	__u32 subs;			/* subscribers in the data plane */
	__u32 reserved;
	char version[TG_VERSION_LEN];	/* tungate version of the last up */
};
_Static_assert(sizeof(struct tg_meta) == 72, "tg_meta layout");

/*
 * Steering (tungate up --steer): a steered subscriber interface runs
 * tg_steer_xdp, which hashes each tunnel packet's inner flow and hands the
 * frame to one of the interface's CPUs through a cpumap; each cpumap entry
 * runs the subscriber program on that CPU. CPU numbers are below
 * TG_STEER_CPU_MAX; TG_STEER_QSIZE is each CPU's queue, in frames.
 */
#define TG_STEER_CPU_MAX 128
#define TG_STEER_QSIZE 2048

/*
 * Value of tg_steer, by ifindex: the CPUs an interface's packets go to.
 * TG_STEER_F_OFF: steering ended; the entry stays for a steering program
 * that may still be running its last packets after up replaced it (the
 * programs ignore the flag, up and status read the entry as absent).
 */
#define TG_STEER_F_OFF 0x1
struct tg_steer {
	__u32 ncpus;			/* 1..TG_STEER_CPU_MAX used in cpu[] */
	__u32 flags;			/* TG_STEER_F_* */
	__u16 cpu[TG_STEER_CPU_MAX];	/* CPU numbers, ascending */
};
_Static_assert(sizeof(struct tg_steer) == 264, "tg_steer layout");

#endif /* TUNGATE_MAPS_H */
