// SPDX-License-Identifier: GPL-2.0-only
/*
 * `tungate status`: what up attached under the pin root and whether it
 * still runs, the programs, the version and time of the last up, how full
 * each map is and the last sync. Reads only; creates nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "db/db.h"
#include "db/pop.h"
#include "routing/bird.h"
#include "dataplane/attach.h"
#include "util/cli.h"
#include "cmd/commands.h"
#include "dataplane/counters.h"
#include "dataplane/dataplane.h"
#include "dataplane/liveness.h"
#include "dataplane/steer.h"
#include "util/json.h"
#include "util/log.h"
#include "routing/routes.h"
#include "sync/wg_members.h"
#include "wg/wg_link.h"
#include "tungate.h"

/* One line of the report: an attachment and its program. */
struct status_if {
	struct tg_attach a;
	bool have_prog;
	struct bpf_prog_info prog;
	/* Steered (tg_steer): its CPUs and the program run on them. */
	bool steer;
	char steer_cpus[256];
	bool have_cpu_prog;
	struct bpf_prog_info cpu_prog;
};

struct status {
	const char *pin_root;
	struct status_if *ifs;
	int n;
	bool have_meta;
	struct tg_meta meta;
	__u64 boot_ns;		/* CLOCK_REALTIME of boot: load times */
	long long subs;		/* members in force, -1: unknown */
	long long wg;		/* of which WireGuard, -1: unknown */
	/* Their subscribers by liveness (have_live false: unknown). */
	bool have_live;
	unsigned int live[TG_LIVE_MAX];
	/* The LNS as the database has it (have_lns false: unknown). */
	bool have_lns;
	char lns[64];		/* "off" or the listening address */
	unsigned int lns_tunnels, lns_up, lns_ending;
	/* This POP (have_pop false: the database unreadable). */
	bool have_pop, drained;
	char pop[TG_NAME_MAX + 1];
	int bird;		/* enum tg_bird_state, -1: unknown */
};

/* The program's info by id; false when it is gone. */
static bool status_prog(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd;
	bool ok;

	memset(info, 0, sizeof(*info));
	if (!id)
		return false;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;
	ok = !bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	return ok;
}

/*
 * The program of the cpumap entries the steering program prog_id hands
 * frames to (its own cpumap, not pinned): the first CPU's.
 */
static bool status_cpu_prog(__u32 prog_id, unsigned int cpu,
			    struct bpf_prog_info *out)
{
	struct bpf_cpumap_val val;
	struct bpf_prog_info info;
	struct bpf_map_info map;
	__u32 ids[64], len, i;
	bool found = false;
	int fd, mfd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.nr_map_ids = 0;
	close(fd);
	for (i = 0; i < info.nr_map_ids && i < 64 && !found; i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0)
			continue;
		memset(&map, 0, sizeof(map));
		len = sizeof(map);
		if (!bpf_obj_get_info_by_fd(mfd, &map, &len) &&
		    map.type == BPF_MAP_TYPE_CPUMAP &&
		    !bpf_map_lookup_elem(mfd, &cpu, &val))
			found = status_prog(val.bpf_prog.id, out);
		close(mfd);
	}
	return found;
}

/* The steering of a (a subscriber interface) from tg_steer. */
static void status_steer(const char *pin_root, struct status_if *v)
{
	struct tg_cpuset cpus;
	char path[PATH_MAX];
	unsigned int cpu;
	int fd;

	if (v->a.role != TG_ROLE_SUBSCRIBER || !v->a.ifindex)
		return;
	snprintf(path, sizeof(path), "%s/tg_steer", pin_root);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	v->steer = !tg_steer_get(fd, v->a.ifindex, &cpus);
	close(fd);
	if (!v->steer)
		return;
	tg_cpulist_format(&cpus, v->steer_cpus, sizeof(v->steer_cpus));
	for (cpu = 0; cpu < TG_CPULIST_MAX && !tg_cpuset_has(&cpus, cpu); cpu++)
		;
	if (v->have_prog)
		v->have_cpu_prog = status_cpu_prog(v->prog.id, cpu,
						   &v->cpu_prog);
}

static int status_add(struct status *s, const struct tg_attach *a)
{
	struct status_if *v = realloc(s->ifs, (s->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->ifs = v;
	v += s->n++;
	memset(v, 0, sizeof(*v));
	v->a = *a;
	v->have_prog = status_prog(a->prog_id, &v->prog);
	status_steer(s->pin_root, v);
	return 0;
}

static int status_cmp(const void *x, const void *y)
{
	const struct status_if *a = x, *b = y;

	if (a->a.role != b->a.role)
		return (int)a->a.role - (int)b->a.role;
	return strcmp(a->a.ifname, b->a.ifname);
}

/*
 * True when program prog_id uses the map pinned at pin_root/name: tg0 is
 * one per network namespace, its program may belong to another pin root.
 */
static bool status_prog_uses(__u32 prog_id, const char *pin_root,
			     const char *name)
{
	struct bpf_prog_info info;
	struct bpf_map_info map;
	char path[PATH_MAX];
	__u32 ids[64], len, i;
	bool found = false;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_root, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	memset(&map, 0, sizeof(map));
	len = sizeof(map);
	if (bpf_obj_get_info_by_fd(fd, &map, &len)) {
		close(fd);
		return false;
	}
	close(fd);
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (i = 0; i < info.nr_map_ids && i < 64 && !found; i++)
			found = ids[i] == map.id;
	close(fd);
	return found;
}

/* The TC programs of ours on the tgwgPORT interfaces, both hooks. */
static int status_collect_wg(struct status *s)
{
	static const enum bpf_tc_attach_point at[] = { BPF_TC_INGRESS,
						       BPF_TC_EGRESS };
	unsigned int ports[64];
	struct tg_attach a;
	int n, i, k, err = 0;

	n = tg_wg_link_ports(ports, sizeof(ports) / sizeof(ports[0]));
	for (i = 0; i < n && !err; i++) {
		for (k = 0; k < 2 && !err; k++) {
			memset(&a, 0, sizeof(a));
			snprintf(a.ifname, sizeof(a.ifname), TG_WG_IFNAME_FMT,
				 ports[i]);
			a.role = k ? TG_ROLE_WIREGUARD_OUT : TG_ROLE_WIREGUARD_IN;
			a.tc = true;
			a.ifindex = if_nametoindex(a.ifname);
			a.prog_id = tg_tc_prog_id(a.ifindex, at[k]);
			if (!a.prog_id ||
			    !status_prog_uses(a.prog_id, s->pin_root, "tg_encap"))
				continue;
			a.mode = TG_MODE_TC;
			err = status_add(s, &a);
		}
	}
	return err;
}

/* Every recorded attachment, then tg0's egress filter when ours. */
static int status_collect(struct status *s)
{
	struct tg_attach a;
	struct dirent *de;
	int err = 0;
	DIR *dir;

	dir = opendir(s->pin_root);
	if (!dir) {
		err = -errno;
		tg_err("status: pin root %s: %s; nothing is attached (run 'tungate up')",
		       s->pin_root, strerror(-err));
		return err;
	}
	while ((de = readdir(dir)) && !err) {
		if (tg_attach_parse(de->d_name, &a))
			continue;
		if (tg_attach_probe(s->pin_root, &a))
			a.stale = true;
		err = status_add(s, &a);
	}
	closedir(dir);
	if (!err && s->n) {
		memset(&a, 0, sizeof(a));
		snprintf(a.ifname, sizeof(a.ifname), "%s", TG_EGRESS_DEV);
		a.role = TG_ROLE_EGRESS;
		a.tc = true;
		a.ifindex = if_nametoindex(TG_EGRESS_DEV);
		a.prog_id = tg_tc_prog_id(a.ifindex, BPF_TC_EGRESS);
		if (a.prog_id && status_prog_uses(a.prog_id, s->pin_root,
						  "tg_encap")) {
			a.mode = TG_MODE_TC;
			err = status_add(s, &a);
		}
	}
	if (!err && s->n)
		err = status_collect_wg(s);
	if (err)
		tg_err("status: out of memory");
	qsort(s->ifs, s->n, sizeof(*s->ifs), status_cmp);
	return err;
}

/* Maps: entries in use where that can be counted (-1: not counted). */
struct status_map {
	char name[NAME_MAX + 1];
	__u32 type;
	__u32 max_entries;
	long long entries;
};

static const char *status_map_type(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
		return "hash";
	case BPF_MAP_TYPE_ARRAY:
		return "array";
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return "percpu_array";
	case BPF_MAP_TYPE_LPM_TRIE:
		return "lpm_trie";
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return "devmap_hash";
	}
	return "other";
}

/* Every map pinned under the pin root (tg_*), sorted by name. */
static int status_maps(const char *pin_root, struct status_map **out, int *nout)
{
	struct status_map *v = NULL, *m;
	struct bpf_map_info info;
	char path[PATH_MAX];
	struct dirent *de;
	int fd, n = 0, err = 0;
	__u32 len, entries;
	DIR *dir;

	dir = opendir(pin_root);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "tg_", 3))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_root, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		m = realloc(v, (n + 1) * sizeof(*v));
		if (!m) {
			close(fd);
			err = -ENOMEM;
			break;
		}
		v = m;
		m = &v[n++];
		snprintf(m->name, sizeof(m->name), "%s", de->d_name);
		m->type = info.type;
		m->max_entries = info.max_entries;
		/* tg_sub_stats holds counters, a line per CPU: no entries. */
		if (!strcmp(de->d_name, "tg_sub_stats"))
			m->entries = -1;
		else
			m->entries = tg_map_entries(fd, &info, &entries) ?
					     -1 : (long long)entries;
		close(fd);
	}
	closedir(dir);
	if (err) {
		free(v);
		return err;
	}
	for (fd = 1; fd < n; fd++) {	/* insertion sort by name */
		struct status_map t = v[fd];
		int j = fd - 1;

		while (j >= 0 && strcmp(v[j].name, t.name) > 0) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = t;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* The sub_ids of the members in force, for their liveness. */
struct status_ids {
	__u32 *ids;
	size_t n, cap;
};

static int status_add_id(void *ctx, __u32 id)
{
	struct status_ids *v = ctx;
	__u32 *p;

	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 1024;
		p = realloc(v->ids, v->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		v->ids = p;
	}
	v->ids[v->n++] = id;
	return 0;
}

/* Liveness of the subscribers of v (the maps m has tg_seen). */
static void status_count_live(struct status *s, struct tg_maps *m,
			      const struct status_ids *v)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), timeout = TG_LIVENESS_TIMEOUT_S;
	struct tg_settings set;
	struct tg_clock clock;
	struct tg_seen *seen;
	sqlite3 *db = NULL;
	size_t i;

	if (bpf_obj_get_info_by_fd(m->seen, &info, &len))
		return;
	m->capacity = info.max_entries;
	/* Keys NULL would read every id: none to read is no read. */
	seen = calloc(v->n ? v->n : 1, sizeof(*seen));
	if (!seen || (v->n && tg_seen_read(m, v->ids, v->n, seen))) {
		free(seen);
		return;
	}
	tg_clock_now(&clock);
	tg_db_set_quiet(true);
	if (!tg_db_open(tg_db_path(), false, &db) &&
	    !tg_db_settings_load(db, &set))
		timeout = set.liveness_timeout;
	tg_db_close(db);
	tg_db_set_quiet(false);
	for (i = 0; i < v->n; i++)
		s->live[tg_live_state(&seen[i], clock.mono_ns, timeout)]++;
	s->have_live = true;
	free(seen);
}

/* The map pinned as name under the pin root: its fd, -1 when missing. */
static int status_map_get(const struct status *s, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", s->pin_root, name);
	return bpf_obj_get(path);
}

/*
 * The members the data plane answers to: tg_tunnels entries with a claim
 * that holds (a sync in progress may have entries of none), and WireGuard
 * members, whose encapsulation in the slot in force says so. Maps without
 * tg_encap1 (older layouts): the tunnels only, as before.
 */
static void status_read_subs(struct status *s)
{
	struct tg_maps m = TG_MAPS_INIT;
	struct status_ids v = {};
	int (*each)(void *ctx, __u32 id);
	__u32 n, nwg;

	s->subs = -1;
	s->wg = -1;
	m.tunnels = status_map_get(s, "tg_tunnels");
	m.gen = status_map_get(s, "tg_gen");
	m.seen = status_map_get(s, "tg_seen");
	m.encap = status_map_get(s, "tg_encap");
	m.encap1 = status_map_get(s, "tg_encap1");
	each = m.seen >= 0 ? status_add_id : NULL;
	if (m.tunnels < 0 || m.gen < 0 ||
	    tg_tunnels_in_force(&m, &n, each, &v))
		goto out;
	s->subs = n;
	if (m.encap >= 0 && m.encap1 >= 0) {
		if (!tg_wg_in_force(&m, &nwg, each, &v)) {
			s->subs += nwg;
			s->wg = nwg;
		} else {
			v.n = n;	/* the tunnels' ids only */
		}
	}
	if (m.seen >= 0)
		status_count_live(s, &m, &v);
out:
	free(v.ids);
	tg_maps_close(&m);
}

static void status_read_lns(struct status *s)
{
	struct tg_lns_settings cfg;
	sqlite3 *db = NULL;
	char err[192];

	tg_db_set_quiet(true);
	if (!tg_db_open(tg_db_path(), false, &db) &&
	    !tg_lns_settings_load(db, &cfg, err, sizeof(err)) &&
	    !tg_db_session_counts(db, &s->lns_tunnels, &s->lns_up,
				  &s->lns_ending)) {
		s->have_lns = true;
		tg_lns_setting_show(&cfg, "lns", s->lns, sizeof(s->lns));
	}
	tg_db_close(db);
	tg_db_set_quiet(false);
}

/* This POP: its name, drain, and whether it announces its BIRD routes. */
static void status_read_pop(struct status *s)
{
	sqlite3 *db = NULL;

	s->bird = -1;
	tg_db_set_quiet(true);
	if (!tg_db_open(tg_db_path(), false, &db)) {
		tg_pop_name(db, s->pop);
		s->drained = tg_pop_drained(db);
		s->have_pop = true;
		s->bird = tg_bird_state(db, s->pin_root);
	}
	tg_db_close(db);
	tg_db_set_quiet(false);
}

static void status_read_meta(struct status *s)
{
	char path[PATH_MAX];
	__u32 key = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/tg_meta", s->pin_root);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	s->have_meta = !bpf_map_lookup_elem(fd, &key, &s->meta);
	s->meta.version[sizeof(s->meta.version) - 1] = '\0';
	close(fd);
}

/* "2026-01-02 03:04:05 UTC" of CLOCK_REALTIME ns, "never" for 0. */
static const char *status_time(__u64 ns, char *buf, size_t size)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm))
		return "never";
	strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

static void status_tag(const struct bpf_prog_info *p, char *buf)
{
	int i;

	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(buf + 2 * i, "%02x", p->tag[i]);
}

/* Program p as the object field name: id, name, tag, load time (Unix ns). */
static void status_prog_json(struct json_writer *w, const char *field,
			     const struct bpf_prog_info *p, __u64 boot_ns)
{
	char tag[2 * BPF_TAG_SIZE + 1];

	status_tag(p, tag);
	jsonw_name(w, field);
	jsonw_start_object(w);
	jsonw_uint_field(w, "id", p->id);
	jsonw_string_field(w, "name", p->name);
	jsonw_string_field(w, "tag", tag);
	jsonw_uint_field(w, "load_time", boot_ns + p->load_time);
	jsonw_uint_field(w, "verified_insns", p->verified_insns);
	/* The kernel counts these with sysctl kernel.bpf_stats_enabled=1. */
	jsonw_uint_field(w, "run_cnt", p->run_cnt);
	jsonw_uint_field(w, "run_time_ns", p->run_time_ns);
	jsonw_end_object(w);
}

static const char *status_state(const struct status_if *i)
{
	return i->a.stale ? "stale" : "attached";
}

static void status_print_text(const struct status *s,
			      const struct status_map *maps, int nmaps)
{
	char t1[64], t2[64], tag[2 * BPF_TAG_SIZE + 1];
	const struct status_if *i;
	const struct tg_meta *m = &s->meta;
	long long subs;
	int k;

	printf("pin root    %s\n", s->pin_root);
	printf("version     %s (last up %s; this tungate %s)\n",
	       s->have_meta && m->version[0] ? m->version : "unknown",
	       status_time(s->have_meta ? m->up_time : 0, t1, sizeof(t1)),
	       TG_VERSION);
	if (s->have_pop)
		printf("pop         %s, %s\n", s->pop,
		       s->drained ? "drained" : "serving");
	printf("interfaces\n");
	for (k = 0; k < s->n; k++) {
		i = &s->ifs[k];
		printf("  %-15s ifindex %-4u %-10s %-7s %-8s", i->a.ifname,
		       i->a.ifindex, tg_role_name(i->a.role),
		       tg_mode_name(i->a.mode), status_state(i));
		if (i->have_prog) {
			status_tag(&i->prog, tag);
			printf(" prog %u %s tag %s loaded %s", i->prog.id,
			       i->prog.name, tag,
			       status_time(s->boot_ns + i->prog.load_time, t2,
					   sizeof(t2)));
		}
		if (i->steer)
			printf("\n  %-15s steered over CPUs %s", "", i->steer_cpus);
		if (i->have_cpu_prog) {
			status_tag(&i->cpu_prog, tag);
			printf(": prog %u %s tag %s", i->cpu_prog.id,
			       i->cpu_prog.name, tag);
		}
		printf("\n");
	}
	subs = s->subs;
	if (subs >= 0) {
		printf("subscribers %lld", subs);
		if (s->wg > 0)
			printf(" (%lld wireguard)", s->wg);
		if (s->have_live)
			printf(": %u up, %u idle, %u down",
			       s->live[TG_LIVE_UP], s->live[TG_LIVE_IDLE],
			       s->live[TG_LIVE_DOWN]);
		printf("\n");
	}
	if (s->have_lns && strcmp(s->lns, "off"))
		printf("lns         listening on %s: %u tunnel%s, %u session%s up, %u ending\n",
		       s->lns, s->lns_tunnels, s->lns_tunnels == 1 ? "" : "s",
		       s->lns_up, s->lns_up == 1 ? "" : "s", s->lns_ending);
	else if (s->have_lns)
		printf("lns         off\n");
	if (s->bird >= 0)
		printf("bgp         %s\n", tg_bird_state_name(s->bird));
	printf("maps        entries / max\n");
	for (k = 0; k < nmaps; k++) {
		if (maps[k].entries >= 0)
			printf("  %-15s %8lld / %-8u %s\n", maps[k].name,
			       maps[k].entries, maps[k].max_entries,
			       status_map_type(maps[k].type));
		else
			printf("  %-15s %8s / %-8u %s\n", maps[k].name, "-",
			       maps[k].max_entries,
			       status_map_type(maps[k].type));
	}
	if (!s->have_meta || !m->sync_time) {
		printf("last sync   never\n");
		return;
	}
	if (m->sync_result == -EINPROGRESS) {
		/* Marked by a sync that has not finished (or was killed). */
		printf("last sync   %s, in progress or interrupted: the next sync compares every map entry\n",
		       status_time(m->sync_time, t1, sizeof(t1)));
		return;
	}
	printf("last sync   %s, %s%s, %llu syncs, %u subscribers\n",
	       status_time(m->sync_time, t1, sizeof(t1)),
	       m->sync_result ? "failed: " : "ok",
	       m->sync_result ? strerror(-m->sync_result) : "",
	       (unsigned long long)m->sync_count, m->subs);
}

static void status_print_json(const struct status *s,
			      const struct status_map *maps, int nmaps)
{
	const struct status_if *i;
	const struct tg_meta *m = &s->meta;
	struct json_writer *w;
	long long subs;
	int k;

	w = jsonw_new(stdout);
	if (!w)
		return;
	jsonw_start_object(w);
	jsonw_string_field(w, "pin_root", s->pin_root);
	if (s->have_meta && m->version[0])
		jsonw_string_field(w, "version", m->version);
	else
		jsonw_null_field(w, "version");
	jsonw_string_field(w, "cli_version", TG_VERSION);
	jsonw_name(w, "pop");
	if (s->have_pop) {
		jsonw_start_object(w);
		jsonw_string_field(w, "name", s->pop);
		jsonw_string_field(w, "state", s->drained ? "drained" : "serving");
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	if (s->have_meta && m->up_time)
		jsonw_uint_field(w, "up_time", m->up_time);
	else
		jsonw_null_field(w, "up_time");
	if (s->have_meta)
		jsonw_uint_field(w, "layout", m->layout);
	jsonw_name(w, "interfaces");
	jsonw_start_array(w);
	for (k = 0; k < s->n; k++) {
		i = &s->ifs[k];
		jsonw_start_object(w);
		jsonw_string_field(w, "ifname", i->a.ifname);
		jsonw_uint_field(w, "ifindex", i->a.ifindex);
		jsonw_string_field(w, "role", tg_role_name(i->a.role));
		jsonw_string_field(w, "mode", tg_mode_name(i->a.mode));
		jsonw_string_field(w, "state", status_state(i));
		if (i->a.pin[0])
			jsonw_string_field(w, "pin", i->a.pin);
		if (i->have_prog)
			status_prog_json(w, "program", &i->prog, s->boot_ns);
		else
			jsonw_null_field(w, "program");
		if (i->steer)
			jsonw_string_field(w, "steer_cpus", i->steer_cpus);
		else
			jsonw_null_field(w, "steer_cpus");
		if (i->have_cpu_prog)
			status_prog_json(w, "steer_program", &i->cpu_prog,
					 s->boot_ns);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	subs = s->subs;
	if (subs >= 0)
		jsonw_uint_field(w, "subscribers", subs);
	else
		jsonw_null_field(w, "subscribers");
	/* Of them WireGuard members (null: maps of an older layout). */
	if (s->wg >= 0)
		jsonw_uint_field(w, "wireguard", s->wg);
	else
		jsonw_null_field(w, "wireguard");
	jsonw_name(w, "liveness");
	if (s->have_live) {
		jsonw_start_object(w);
		for (k = 0; k < TG_LIVE_MAX; k++)
			jsonw_uint_field(w, tg_live_name(k), s->live[k]);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	if (s->have_lns) {
		jsonw_name(w, "lns");
		jsonw_start_object(w);
		jsonw_string_field(w, "listen", s->lns);
		jsonw_uint_field(w, "tunnels", s->lns_tunnels);
		jsonw_name(w, "sessions");
		jsonw_start_object(w);
		jsonw_uint_field(w, "up", s->lns_up);
		jsonw_uint_field(w, "ending", s->lns_ending);
		jsonw_end_object(w);
		jsonw_end_object(w);
	} else {
		jsonw_null_field(w, "lns");
	}
	/* announcing, drained or detached (its routes withdrawn). */
	if (s->bird >= 0)
		jsonw_string_field(w, "bgp", tg_bird_state_key(s->bird));
	else
		jsonw_null_field(w, "bgp");
	jsonw_name(w, "maps");
	jsonw_start_array(w);
	for (k = 0; k < nmaps; k++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "name", maps[k].name);
		jsonw_string_field(w, "type", status_map_type(maps[k].type));
		if (maps[k].entries >= 0)
			jsonw_uint_field(w, "entries", maps[k].entries);
		else
			jsonw_null_field(w, "entries");
		jsonw_uint_field(w, "max_entries", maps[k].max_entries);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_name(w, "sync");
	if (s->have_meta && m->sync_time) {
		jsonw_start_object(w);
		jsonw_uint_field(w, "time", m->sync_time);
		jsonw_int_field(w, "result", m->sync_result);
		jsonw_uint_field(w, "count", m->sync_count);
		jsonw_uint_field(w, "subscribers", m->subs);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

static int status_help(void)
{
	printf("Usage: tungate [-j] status\n"
	       "\n"
	       "What 'tungate up' attached under the pin root: every interface\n"
	       "with its role (subscriber, uplink, egress for tg0, or\n"
	       "wireguard-in and wireguard-out for a tgwgPORT's two TC hooks), mode\n"
	       "(native, generic, tc) and state (attached, or stale when the\n"
	       "interface or the attachment went away), the program's id,\n"
	       "name, tag and load time (with -j also the instructions the\n"
	       "verifier processed to load it, and its runs and their time,\n"
	       "run_cnt and run_time_ns, which the kernel counts while the\n"
	       "sysctl kernel.bpf_stats_enabled is 1); for a steered interface the\n"
	       "CPUs (steer_cpus) and the program run on them (see 'tungate\n"
	       "up help'); this POP's name and state (serving or drained:\n"
	       "see 'tungate pop help'); the tungate version and time of the\n"
	       "last up; the number of subscribers in the data plane (tunnels\n"
	       "and WireGuard members; how many are WireGuard's, -j: wireguard),\n"
	       "by liveness (up, idle, down: see 'tungate stats help'); every\n"
	       "pinned map's entries in use against its size ('-' where\n"
	       "entries are not counted: per-CPU arrays); the last sync (time,\n"
	       "result, count); the LNS\n"
	       "(its listening address, tunnels and dial-in sessions up); bgp:\n"
	       "whether this POP announces its BIRD routes (announcing), is\n"
	       "drained ('tungate drain') or has them withdrawn because its\n"
	       "data plane is detached (-j: announcing, drained, detached).\n"
	       "Fails when the pin root does not exist or nothing is attached.\n");
	return 0;
}

int do_status(int argc, char **argv)
{
	struct status s = { .pin_root = tg_pin_root() };
	struct status_map *maps = NULL;
	struct timespec rt, bt;
	int i, nmaps = 0, err;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return status_help();
		if (tg_take_json(argv[i]))
			continue;
		tg_err("status: unknown argument '%s'; try 'tungate status help'",
		       argv[i]);
		return -EINVAL;
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	s.boot_ns = ((__u64)rt.tv_sec - bt.tv_sec) * 1000000000ULL +
		    rt.tv_nsec - bt.tv_nsec;

	err = status_collect(&s);
	if (err)
		goto out;
	if (!s.n) {
		tg_err("status: nothing attached under %s (run 'tungate up')",
		       s.pin_root);
		err = -ENOENT;
		goto out;
	}
	status_read_meta(&s);
	status_read_subs(&s);
	status_read_lns(&s);
	status_read_pop(&s);
	err = status_maps(s.pin_root, &maps, &nmaps);
	if (err) {
		tg_err("status: cannot read the maps under %s: %s", s.pin_root,
		       strerror(-err));
		goto out;
	}
	if (tg_opts.json)
		status_print_json(&s, maps, nmaps);
	else
		status_print_text(&s, maps, nmaps);
out:
	free(maps);
	free(s.ifs);
	return err;
}
