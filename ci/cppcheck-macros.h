/* SPDX-License-Identifier: GPL-2.0-only */
/* libbpf macros cppcheck cannot see without the system headers. */
#define LIBBPF_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }
#define bpf_object__for_each_map(pos, obj) \
	for ((pos) = bpf_object__next_map((obj), NULL); (pos); \
	     (pos) = bpf_object__next_map((obj), (pos)))
#define bpf_object__for_each_program(pos, obj) \
	for ((pos) = bpf_object__next_program((obj), NULL); (pos); \
	     (pos) = bpf_object__next_program((obj), (pos)))
