/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two hooks the entry programs are built for, for tests that run each
 * packet through both builds: tg_sub_xdp / tg_sub_tc, tg_up_xdp /
 * tg_up_tc. The TC build is loaded on the maps of the XDP skeleton the
 * test fills, and run on a socket buffer with BPF_PROG_TEST_RUN.
 */
#ifndef TG_TEST_BPF_HOOK_H
#define TG_TEST_BPF_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>

enum tg_hook { TG_HOOK_XDP, TG_HOOK_TC, TG_HOOKS };

/* "xdp", "tc": for messages. */
const char *tg_hook_name(enum tg_hook h);

/*
 * What the hook returns where XDP returns xdp_verdict: XDP_PASS is
 * TC_ACT_OK, XDP_DROP TC_ACT_SHOT, XDP_REDIRECT and XDP_TX (a reply back
 * out of the ingress interface) TC_ACT_REDIRECT.
 */
uint32_t tg_hook_verdict(enum tg_hook h, uint32_t xdp_verdict);

/*
 * Make every map of obj (not yet loaded) the one of the same name in the
 * loaded object maps, unpinned; fail the test on error.
 */
void tg_hook_share_maps(struct bpf_object *obj, struct bpf_object *maps);

/*
 * Unpin every map of obj (not yet loaded) and make those of more than cap
 * entries cap entries, but for the devmap and maps of type keep (0: none);
 * tg_sub_stats one line per CPU of the subscribers tg_seen holds.
 */
void tg_hook_cap_maps(struct bpf_object *obj, uint32_t cap,
		      enum bpf_map_type keep);

/*
 * One BPF_PROG_TEST_RUN of prog_fd (built for h) on the frame in, as
 * received on ifindex; the frame it leaves in out (*out_len bytes, out_size
 * at most) and its verdict. Fails the test when the run fails.
 */
void tg_hook_run(enum tg_hook h, int prog_fd, const void *in, size_t len,
		 uint32_t ifindex, void *out, size_t out_size,
		 uint32_t *verdict, uint32_t *out_len);

#endif /* TG_TEST_BPF_HOOK_H */
