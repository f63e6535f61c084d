/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hook a program is built for: one entry source compiled twice, for
 * TC with -DTG_HOOK_TC (the Makefile's *_tc.bpf.o), for XDP without (and
 * the subscriber program a third time with -DTG_HOOK_CPUMAP, for XDP in a
 * cpumap entry: subscriber_cpumap.bpf.o, see ctx/xdp.h). Both
 * headers give the same names: struct __ctx_buff, CTX_ACT_*, ctx_data(),
 * ctx_data_end(), the head and tail moves, stores and redirects.
 */
#ifndef TG_CTX_CTX_H
#define TG_CTX_CTX_H

#ifdef TG_HOOK_TC
#include "ctx/skb.h"
#else
#include "ctx/xdp.h"
#endif

#endif /* TG_CTX_CTX_H */
