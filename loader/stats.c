// SPDX-License-Identifier: GPL-2.0-only
/* tungate stats: per-subscriber and global counters, summed over CPUs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "commands.h"
#include "dataplane.h"
#include "db.h"
#include "json.h"
#include "reason.h"

static int stats_help(void)
{
	printf("Usage: tungate stats [NAME] [-j]\n"
	       "\n"
	       "Counters of the data plane pinned under the pin root, summed over\n"
	       "all CPUs. For each enabled subscriber (or only NAME): packets and\n"
	       "inner IP bytes forwarded up (decapsulated, from the subscriber)\n"
	       "and down, and packets by reason (spoofed_src, bad_cookie, ...).\n"
	       "Then the global counters: packets and bytes by reason, for every\n"
	       "packet the programs saw. -j: one JSON object\n"
	       "{\"subscribers\": [...], \"global\": {reason: {packets, bytes}}}.\n");
	return 0;
}

/* Sum the per-CPU values of one element of a per-CPU map of __u64 fields. */
static int percpu_sum(int fd, __u32 key, __u64 *sum, size_t nfields,
		      __u64 *buf, int ncpus)
{
	size_t f;
	int cpu;

	if (bpf_map_lookup_elem(fd, &key, buf))
		return -errno;
	memset(sum, 0, nfields * sizeof(*sum));
	for (cpu = 0; cpu < ncpus; cpu++)
		for (f = 0; f < nfields; f++)
			sum[f] += buf[cpu * nfields + f];
	return 0;
}

static void print_sub(struct json_writer *w, const struct tg_sub *s,
		      const struct tg_sub_counters *c)
{
	const char *name;
	__u32 r;
	bool any = false;

	if (w) {
		jsonw_start_object(w);
		jsonw_string_field(w, "name", s->name);
		jsonw_uint_field(w, "dp_id", s->dp_id);
		jsonw_name(w, "up");
		jsonw_start_object(w);
		jsonw_uint_field(w, "packets", c->packets[TG_DIR_UP]);
		jsonw_uint_field(w, "bytes", c->bytes[TG_DIR_UP]);
		jsonw_end_object(w);
		jsonw_name(w, "down");
		jsonw_start_object(w);
		jsonw_uint_field(w, "packets", c->packets[TG_DIR_DOWN]);
		jsonw_uint_field(w, "bytes", c->bytes[TG_DIR_DOWN]);
		jsonw_end_object(w);
		jsonw_name(w, "reasons");
		jsonw_start_object(w);
	} else {
		printf("%-20s %12llu %14llu %12llu %14llu  ", s->name,
		       (unsigned long long)c->packets[TG_DIR_UP],
		       (unsigned long long)c->bytes[TG_DIR_UP],
		       (unsigned long long)c->packets[TG_DIR_DOWN],
		       (unsigned long long)c->bytes[TG_DIR_DOWN]);
	}
	for (r = 0; r < TG_R_SUB_MAX; r++) {
		name = tg_reason_name(r);
		if (!name || r == TG_R_OK || !c->reasons[r])
			continue;
		if (w)
			jsonw_uint_field(w, name, c->reasons[r]);
		else
			printf("%s%s=%llu", any ? " " : "", name,
			       (unsigned long long)c->reasons[r]);
		any = true;
	}
	if (w) {
		jsonw_end_object(w);
		jsonw_end_object(w);
	} else {
		printf("%s\n", any ? "" : "-");
	}
}

static int print_subs(struct json_writer *w, sqlite3 *db, const char *only,
		      const struct tg_maps *m, int ncpus)
{
	const size_t nf = sizeof(struct tg_sub_counters) / sizeof(__u64);
	struct tg_sub_counters c;
	struct tg_sub *subs = NULL;
	__u64 *buf;
	size_t n = 0, i;
	int ret;

	buf = calloc(ncpus, sizeof(c));
	if (!buf)
		return -ENOMEM;
	ret = tg_db_sub_list(db, true, &subs, &n);
	if (ret)
		goto out;
	for (i = 0; only && i < n && strcmp(only, subs[i].name); i++)
		;
	if (only && i == n) {
		ret = -ENOENT;
		goto out;
	}
	if (w) {
		jsonw_name(w, "subscribers");
		jsonw_start_array(w);
	} else {
		printf("%-20s %12s %14s %12s %14s  %s\n", "subscriber",
		       "up_packets", "up_bytes", "down_packets", "down_bytes",
		       "reasons");
	}
	for (i = 0; i < n; i++) {
		if (only && strcmp(only, subs[i].name))
			continue;
		if (subs[i].dp_id >= m->capacity ||
		    percpu_sum(m->sub_stats, subs[i].dp_id, (__u64 *)&c, nf,
			       buf, ncpus))
			memset(&c, 0, sizeof(c));
		print_sub(w, &subs[i], &c);
	}
	if (w)
		jsonw_end_array(w);
out:
	tg_sub_list_free(subs, n);
	free(buf);
	return ret;
}

static int print_global(struct json_writer *w, const struct tg_maps *m,
			int ncpus)
{
	struct tg_counter c, *buf;
	const char *name;
	__u32 r;
	int ret = 0;

	buf = calloc(ncpus, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	if (w) {
		jsonw_name(w, "global");
		jsonw_start_object(w);
	} else {
		printf("\n%-22s %12s %14s\n", "reason", "packets", "bytes");
	}
	for (r = 0; r < TG_R_MAX; r++) {
		name = tg_reason_name(r);
		if (!name)
			continue;
		ret = percpu_sum(m->global_stats, r, (__u64 *)&c, 2,
				 (__u64 *)buf, ncpus);
		if (ret)
			break;
		if (w) {
			jsonw_name(w, name);
			jsonw_start_object(w);
			jsonw_uint_field(w, "packets", c.packets);
			jsonw_uint_field(w, "bytes", c.bytes);
			jsonw_end_object(w);
		} else if (c.packets) {
			printf("%-22s %12llu %14llu\n", name,
			       (unsigned long long)c.packets,
			       (unsigned long long)c.bytes);
		}
	}
	if (w)
		jsonw_end_object(w);
	free(buf);
	return ret;
}

int do_stats(int argc, char **argv)
{
	struct tg_maps m = TG_MAPS_INIT;
	const char *root = tg_pin_root(), *only = NULL;
	struct json_writer *w = NULL;
	char probe[4096];
	sqlite3 *db = NULL;
	int i, ncpus, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return stats_help();
		if (tg_take_json(argv[i]))
			continue;
		if (only || argv[i][0] == '-') {
			tg_err("stats: unexpected argument '%s'; try 'tungate stats help'",
			       argv[i]);
			return -EINVAL;
		}
		only = argv[i];
	}
	snprintf(probe, sizeof(probe), "%s/tg_sub_stats", root);
	if (access(probe, F_OK)) {
		tg_err("stats: no data plane maps under %s; run 'tungate sync' or 'tungate up' first",
		       root);
		return -ENOENT;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0) {
		tg_err("stats: cannot count CPUs: %s", strerror(-ncpus));
		return ncpus;
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_maps_open_pinned(root, &m);
	if (ret)
		goto out;
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
	}
	ret = print_subs(w, db, only, &m, ncpus);
	if (ret == -ENOENT) {
		if (w)
			jsonw_destroy(&w);
		tg_err("stats: no enabled subscriber '%s'", only);
		goto out;
	}
	if (!ret && !only)
		ret = print_global(w, &m, ncpus);
	if (ret && ret != -ENOENT)
		tg_err("stats: reading counters under %s: %s", root,
		       strerror(-ret));
	if (w) {
		jsonw_end_object(w);
		jsonw_destroy(&w);
	}
out:
	tg_maps_close(&m);
	tg_db_close(db);
	return ret;
}
