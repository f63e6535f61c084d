// SPDX-License-Identifier: GPL-2.0-only
/* Running the XDP and the TC build of a program: see bpf_hook.h. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "bpf_hook.h"
#include "dataplane/subcount.h"

const char *tg_hook_name(enum tg_hook h)
{
	return h == TG_HOOK_TC ? "tc" : "xdp";
}

uint32_t tg_hook_verdict(enum tg_hook h, uint32_t xdp_verdict)
{
	if (h == TG_HOOK_XDP)
		return xdp_verdict;
	switch (xdp_verdict) {
	case XDP_PASS:
		return TC_ACT_OK;
	case XDP_DROP:
		return TC_ACT_SHOT;
	case XDP_TX:
	case XDP_REDIRECT:
		return TC_ACT_REDIRECT;
	}
	ck_abort_msg("XDP verdict %u has no TC counterpart", xdp_verdict);
	return 0;
}

void tg_hook_share_maps(struct bpf_object *obj, struct bpf_object *maps)
{
	struct bpf_map *map = NULL, *own;

	/* tg_ncpus set (the maps' sizes come from the fds below). */
	ck_assert_int_eq(tg_obj_sub_stats_setup(obj), 0);
	while ((map = bpf_object__next_map(obj, map))) {
		if (bpf_map__is_internal(map))
			continue;
		ck_assert_int_eq(bpf_map__set_pin_path(map, NULL), 0);
		own = bpf_object__find_map_by_name(maps, bpf_map__name(map));
		if (own)
			ck_assert_int_eq(bpf_map__reuse_fd(map, bpf_map__fd(own)),
					 0);
	}
}

void tg_hook_cap_maps(struct bpf_object *obj, uint32_t cap,
		      enum bpf_map_type keep)
{
	struct bpf_map *map = NULL;
	enum bpf_map_type t;

	while ((map = bpf_object__next_map(obj, map))) {
		ck_assert_int_eq(bpf_map__set_pin_path(map, NULL), 0);
		t = bpf_map__type(map);
		if (t == BPF_MAP_TYPE_DEVMAP_HASH || (keep && t == keep) ||
		    bpf_map__is_internal(map) || bpf_map__max_entries(map) <= cap)
			continue;
		ck_assert_int_eq(bpf_map__set_max_entries(map, cap), 0);
	}
	ck_assert_int_eq(tg_obj_sub_stats_setup(obj), 0);
}

void tg_hook_run(enum tg_hook h, int prog_fd, const void *in, size_t len,
		 uint32_t ifindex, void *out, size_t out_size,
		 uint32_t *verdict, uint32_t *out_len)
{
	struct xdp_md xdp = { .data_end = len, .ingress_ifindex = ifindex };
	/* ifindex: the device the skb arrives on; 1 or 0 is loopback. */
	struct __sk_buff skb = { .ifindex = ifindex,
				 .ingress_ifindex = ifindex };
	struct bpf_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = in,
		.data_size_in = len,
		.data_out = out,
		.data_size_out = out_size,
		.ctx_in = h == TG_HOOK_TC ? (void *)&skb : (void *)&xdp,
		.ctx_size_in = h == TG_HOOK_TC ? sizeof(skb) : sizeof(xdp),
		.repeat = 1,
	};

	ck_assert_msg(!bpf_prog_test_run_opts(prog_fd, &opts),
		      "BPF_PROG_TEST_RUN (%s) of %zu bytes: %s", tg_hook_name(h),
		      len, strerror(errno));
	*verdict = opts.retval;
	*out_len = opts.data_size_out;
}
