// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate import --freeradius SOURCE: the dial-in members of a FreeRADIUS
 * SQL database, with classes for their rates, through the machinery of
 * every import (cmd/import.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/freeradius.h"
#include "cmd/freeradius_map.h"
#include "dataplane/dataplane.h"
#include "util/cli.h"
#include "util/json.h"
#include "util/mikrotik_rate.h"

/* A rate the members have, and the class that gives it. */
struct fr_rate {
	__u64 down, up;
	const char *group;	/* smallest group name giving it, NULL: none */
	unsigned int line;
	size_t cls;		/* index in im->cls */
	bool bad;
};

struct fr_import {
	struct import im;
	struct fr_source src;
	struct fr_map map;
	struct fr_rate *rates;
	size_t nrates;
	struct tg_sub *dbs;
	size_t ndb;
	bool *updated;		/* dbs[i] is replaced by the import */
	bool *seen;		/* dbs[i] is a member of the source */
	size_t nnew, nupdated, nsame, ngone;
};

static void fr_where(const struct import *im, unsigned int line, char *buf,
		     size_t len)
{
	const struct fr_source *src = im->src;
	const struct fr_row *r;

	if (!line || line > src->n) {
		snprintf(buf, len, "row ?");
		return;
	}
	r = &src->rows[line - 1];
	snprintf(buf, len, "%s id %lld (%s '%s')", fr_table_name(r->table),
		 r->id, r->table == FR_RADGROUPCHECK ||
		 r->table == FR_RADGROUPREPLY ? "group" : "user", r->name);
}

static int fr_rate_find(struct fr_import *f, const struct fr_member *m)
{
	struct fr_rate *nr;
	size_t i;

	for (i = 0; i < f->nrates; i++) {
		if (f->rates[i].down != m->down || f->rates[i].up != m->up)
			continue;
		if (m->group && (!f->rates[i].group ||
				 strcmp(m->group, f->rates[i].group) < 0)) {
			f->rates[i].group = m->group;
			f->rates[i].line = m->rate_line;
		}
		return i;
	}
	nr = realloc(f->rates, (f->nrates + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	f->rates = nr;
	f->rates[f->nrates] = (struct fr_rate){
		.down = m->down, .up = m->up, .group = m->group,
		.line = m->rate_line,
	};
	return f->nrates++;
}

/* Add class c to the import: 0 or -ENOMEM. */
static int fr_class_add(struct import *im, const struct tg_class *c,
			unsigned int line)
{
	struct tg_class *nc;
	unsigned int *nl;

	nc = realloc(im->cls, (im->ncls + 1) * sizeof(*nc));
	if (nc)
		im->cls = nc;
	nl = realloc(im->cls_line, (im->ncls + 1) * sizeof(*nl));
	if (nl)
		im->cls_line = nl;
	if (!nc || !nl)
		return -ENOMEM;
	im->cls[im->ncls] = *c;
	im->cls_line[im->ncls++] = line;
	return 0;
}

/*
 * The class of each rate: one of the database's with the same rates
 * (the one named as this import would name it first), else a new one
 * named after the group giving the rate, else after the rate.
 */
static int fr_classes(struct fr_import *f)
{
	struct import *im = &f->im;
	char want[TG_NAME_MAX + 2], a[16], b[16], err[256], have[64], asked[64];
	struct tg_class c;
	const struct tg_class *o;
	size_t i, k;
	int ret;

	for (i = 0; i < f->map.n; i++) {
		if (!f->map.m[i].has_rate)
			continue;
		ret = fr_rate_find(f, &f->map.m[i]);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < f->nrates; i++) {
		struct fr_rate *r = &f->rates[i];

		if (r->group) {
			if (tg_name_from_user(r->group, want, sizeof(want)))
				snprintf(want, sizeof(want), "%s", "");
		} else {
			want[0] = '\0';
		}
		if (!want[0]) {
			tg_mt_rate_format(r->up, a, sizeof(a));
			tg_mt_rate_format(r->down, b, sizeof(b));
			snprintf(want, sizeof(want), "r-%s-%s", a, b);
		}
		r->cls = SIZE_MAX;
		for (k = 0; k < im->ncls; k++) {
			o = &im->cls[k];
			if (o->down_rate != r->down || o->up_rate != r->up ||
			    o->scope != TG_SCOPE_INTERNET)
				continue;
			if (r->cls == SIZE_MAX || !strcmp(o->name, want))
				r->cls = k;
		}
		if (r->cls != SIZE_MAX)
			continue;
		o = imp_class(im, want);
		if (o) {
			tg_mt_rate_format(o->up_rate, a, sizeof(a));
			tg_mt_rate_format(o->down_rate, b, sizeof(b));
			snprintf(have, sizeof(have), "%s/%s", a, b);
			tg_mt_rate_format(r->up, a, sizeof(a));
			tg_mt_rate_format(r->down, b, sizeof(b));
			snprintf(asked, sizeof(asked), "%s/%s", a, b);
			bad_add(&im->bad, r->line,
				"class '%s' exists with up/down %s; %s asks for %s: change one ('tungate class set %s' or the source)",
				want, have, r->group ? "the group" : "the rate",
				asked, want);
			r->bad = true;
			continue;
		}
		memset(&c, 0, sizeof(c));
		snprintf(c.name, sizeof(c.name), "%s", want);
		c.down_rate = r->down;
		c.up_rate = r->up;
		c.burst = tg_burst_default(r->down, r->up);
		c.scope = TG_SCOPE_INTERNET;
		if (tg_class_validate(&c, err, sizeof(err))) {
			bad_add(&im->bad, r->line, "class '%s': %s", c.name, err);
			r->bad = true;
			continue;
		}
		r->cls = im->ncls;
		ret = fr_class_add(im, &c, r->line);
		if (ret)
			return ret;
	}
	for (i = 0; i < f->map.n; i++) {
		struct fr_member *m = &f->map.m[i];

		if (!m->has_rate)
			continue;
		for (k = 0; k < f->nrates; k++)
			if (f->rates[k].down == m->down && f->rates[k].up == m->up)
				break;
		if (!f->rates[k].bad)
			strcpy(m->s.cls, im->cls[f->rates[k].cls].name);
	}
	return 0;
}

static int fr_prefix_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tg_prefix));
}

/* Whether a and b hold the same record, prefixes in any order. */
static bool fr_same(const struct tg_sub *a, const struct tg_sub *b)
{
	char x[TG_FIELD_MAX], y[TG_FIELD_MAX];
	struct tg_prefix *pa, *pb;
	const char *const *f;
	bool same;

	if (strcmp(a->password, b->password) || a->nprefix != b->nprefix)
		return false;
	for (f = tg_sub_fields; *f; f++) {
		if (!strcmp(*f, "prefixes"))
			continue;
		tg_sub_field_text(a, *f, x, sizeof(x));
		tg_sub_field_text(b, *f, y, sizeof(y));
		if (strcmp(x, y))
			return false;
	}
	pa = calloc(a->nprefix + 1, sizeof(*pa));
	pb = calloc(b->nprefix + 1, sizeof(*pb));
	same = pa && pb;
	if (same) {
		memcpy(pa, a->prefix, a->nprefix * sizeof(*pa));
		memcpy(pb, b->prefix, b->nprefix * sizeof(*pb));
		qsort(pa, a->nprefix, sizeof(*pa), fr_prefix_cmp);
		qsort(pb, b->nprefix, sizeof(*pb), fr_prefix_cmp);
		same = !memcmp(pa, pb, a->nprefix * sizeof(*pa));
	}
	free(pa);
	free(pb);
	return same;
}

static int fr_name_cmp(const void *a, const void *b)
{
	const struct fr_member *x = a, *y = b;

	return strcmp(x->s.name, y->s.name);
}

static const struct tg_sub *fr_db_user(const struct fr_import *f,
				       const char *user, size_t *at)
{
	size_t i;

	for (i = 0; i < f->ndb; i++) {
		if (!strcmp(f->dbs[i].user, user)) {
			*at = i;
			return &f->dbs[i];
		}
	}
	return NULL;
}

static const struct tg_sub *fr_db_name(const struct fr_import *f,
				       const char *name, size_t *at)
{
	size_t lo = 0, hi = f->ndb, mid;
	int d;

	/* tg_db_sub_list() gives them by name. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		d = strcmp(f->dbs[mid].name, name);
		if (!d) {
			*at = mid;
			return &f->dbs[mid];
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The import's record of member m: a new row, an update, or none. */
static int fr_member(struct fr_import *f, struct fr_member *m)
{
	struct import *im = &f->im;
	const struct tg_sub *db, *du;
	struct imp_sub *is;
	struct tg_sub draft;
	char err[256];
	size_t at, uat;
	unsigned int i;
	int ret;

	db = fr_db_name(f, m->s.name, &at);
	du = fr_db_user(f, m->s.user, &uat);
	if (db && (strcmp(db->note, FR_NOTE) || strcmp(db->user, m->s.user))) {
		bad_add(&im->bad, m->line,
			"user '%s' would be subscriber '%s', which exists and no FreeRADIUS import made (%s%s%s): rename or delete it",
			m->s.user, m->s.name, db->user[0] ? "PPP user '" : "type ",
			db->user[0] ? db->user : tg_tun_type_name(db->type),
			db->user[0] ? "'" : "");
		return 0;
	}
	if (du && (!db || du != db)) {
		bad_add(&im->bad, m->line,
			"user '%s': already the PPP user of subscriber '%s'",
			m->s.user, du->name);
		return 0;
	}
	if (db) {
		f->seen[at] = true;
		/* What the source holds over the record, the rest kept. */
		ret = tg_sub_copy(&draft, db);
		if (ret)
			return ret;
		strcpy(draft.password, m->s.password);
		strcpy(draft.cls, m->s.cls);
		draft.enabled = m->s.enabled;
		if (m->has_mtu)
			draft.mtu = m->s.mtu;
		draft.nprefix = 0;
		for (i = 0; i < m->s.nprefix; i++) {
			ret = tg_sub_add_prefix(&draft, &m->s.prefix[i]);
			if (ret) {
				tg_sub_free(&draft);
				return ret;
			}
		}
		if (fr_same(&draft, db)) {
			tg_sub_free(&draft);
			f->nsame++;
			return 0;
		}
	} else {
		draft = m->s;
		m->s.prefix = NULL;
		m->s.nprefix = 0;
	}
	is = imp_sub_new(im, m->line);
	if (!is) {
		tg_sub_free(&draft);
		return -ENOMEM;
	}
	is->s = draft;
	if (db) {
		is->update = true;
		f->updated[at] = true;
		f->nupdated++;
	} else {
		f->nnew++;
	}
	im->nsubs++;
	if (tg_sub_validate(&is->s, err, sizeof(err)) ||
	    tg_ifnets_check(im->nets, im->nnets, &is->s, err, sizeof(err)))
		bad_add(&im->bad, m->line, "user '%s', subscriber '%s': %s",
			m->s.user, is->s.name, err);
	return 0;
}

static int fr_members(struct fr_import *f)
{
	struct fr_member *m = f->map.m;
	size_t i;
	int ret;

	qsort(m, f->map.n, sizeof(*m), fr_name_cmp);
	for (i = 0; i < f->map.n; i++) {
		if (i && !strcmp(m[i].s.name, m[i - 1].s.name)) {
			bad_add(&f->im.bad, m[i].line,
				"users '%s' and '%s' both make the subscriber name '%s'",
				m[i - 1].s.user, m[i].s.user, m[i].s.name);
			continue;
		}
		ret = fr_member(f, &m[i]);
		if (ret)
			return ret;
	}
	/* Imported before, gone from the source since: kept, and said. */
	for (i = 0; i < f->ndb; i++)
		if (!f->seen[i] && !strcmp(f->dbs[i].note, FR_NOTE))
			f->ngone++;
	return 0;
}

static void fr_list_text(FILE *out, const struct import *im,
			 const struct bad_rows *b, const char *title)
{
	char where[320];
	size_t i;

	if (!b->n)
		return;
	fprintf(out, "%s:\n", title);
	for (i = 0; i < b->n; i++) {
		fr_where(im, b->line[i], where, sizeof(where));
		fprintf(out, "  %s: %s\n", where, b->msg[i]);
	}
}

static void fr_list_json(struct json_writer *w, const struct import *im,
			 const struct bad_rows *b, const char *name)
{
	char where[320];
	size_t i;

	jsonw_name(w, name);
	jsonw_start_array(w);
	for (i = 0; i < b->n; i++) {
		fr_where(im, b->line[i], where, sizeof(where));
		jsonw_start_object(w);
		jsonw_string_field(w, "where", where);
		jsonw_string_field(w, "reason", b->msg[i]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

static void fr_rate_text(__u64 bps, char *buf, size_t len)
{
	if (bps)
		tg_rate_format(bps, buf, len);
	else
		snprintf(buf, len, "unlimited");
}

static void fr_report(struct fr_import *f, const char *label, bool dry,
		      bool changed, double secs)
{
	struct import *im = &f->im;
	char a[32], b[32];
	struct json_writer *w;
	size_t i;

	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w)
			return;
		jsonw_start_object(w);
		jsonw_string_field(w, "source", label);
		jsonw_bool_field(w, "dry_run", dry);
		jsonw_bool_field(w, "changed", changed);
		jsonw_uint_field(w, "users", f->map.nusers);
		jsonw_name(w, "classes");
		jsonw_start_array(w);
		for (i = 0; i < f->nrates; i++) {
			const struct tg_class *c = &im->cls[f->rates[i].cls];

			jsonw_start_object(w);
			tg_class_json_fields(w, c);
			jsonw_bool_field(w, "new", f->rates[i].cls >= im->ndbcls);
			if (f->rates[i].group)
				jsonw_string_field(w, "group", f->rates[i].group);
			else
				jsonw_null_field(w, "group");
			jsonw_end_object(w);
		}
		jsonw_end_array(w);
		jsonw_name(w, "members");
		jsonw_start_object(w);
		jsonw_name(w, "new");
		jsonw_start_array(w);
		for (i = 0; i < im->nsubs; i++)
			if (!im->subs[i].update)
				jsonw_string(w, im->subs[i].s.name);
		jsonw_end_array(w);
		jsonw_name(w, "updated");
		jsonw_start_array(w);
		for (i = 0; i < im->nsubs; i++)
			if (im->subs[i].update)
				jsonw_string(w, im->subs[i].s.name);
		jsonw_end_array(w);
		jsonw_uint_field(w, "unchanged", f->nsame);
		jsonw_name(w, "kept");
		jsonw_start_array(w);
		for (i = 0; i < f->ndb; i++)
			if (!f->seen[i] && !strcmp(f->dbs[i].note, FR_NOTE))
				jsonw_string(w, f->dbs[i].name);
		jsonw_end_array(w);
		jsonw_end_object(w);
		fr_list_json(w, im, &f->map.skipped, "not_imported");
		fr_list_json(w, im, &f->map.unmapped, "not_mapped");
		jsonw_uint_field(w, "milliseconds", (__u64)(secs * 1000));
		jsonw_end_object(w);
		jsonw_destroy(&w);
		return;
	}
	printf("FreeRADIUS %s: %zu users, %zu members, %zu not imported\n",
	       label, f->map.nusers, f->map.n, f->map.skipped.n);
	for (i = 0; i < f->nrates; i++) {
		const struct tg_class *c = &im->cls[f->rates[i].cls];

		fr_rate_text(c->down_rate, a, sizeof(a));
		fr_rate_text(c->up_rate, b, sizeof(b));
		printf("class %s: %s, down %s, up %s%s%s\n", c->name,
		       f->rates[i].cls >= im->ndbcls ? (dry ? "would be new" : "new") :
		       "exists", a, b, f->rates[i].group ? ", of group " : "",
		       f->rates[i].group ? f->rates[i].group : "");
	}
	if (dry) {
		for (i = 0; i < im->nsubs; i++)
			printf("member %s (user %s): would be %s\n",
			       im->subs[i].s.name, im->subs[i].s.user,
			       im->subs[i].update ? "updated" : "new");
	}
	printf("members: %zu %snew, %zu %supdated, %zu unchanged\n", f->nnew,
	       dry ? "would be " : "", f->nupdated, dry ? "would be " : "",
	       f->nsame);
	if (f->ngone) {
		printf("kept, no longer in the source (tungate sub del to remove):\n");
		for (i = 0; i < f->ndb; i++)
			if (!f->seen[i] && !strcmp(f->dbs[i].note, FR_NOTE))
				printf("  %s (user %s)\n", f->dbs[i].name,
				       f->dbs[i].user);
	}
	fr_list_text(stdout, im, &f->map.skipped, "not imported");
	fr_list_text(stdout, im, &f->map.unmapped, "not mapped");
	if (dry)
		printf("dry run: nothing written\n");
	else if (!changed)
		printf("nothing to change: the database already matches\n");
	else
		printf("imported in %.2f s; %s\n", secs, tg_apply_hint());
}

static void fr_free(struct fr_import *f)
{
	imp_free(&f->im);
	fr_map_free(&f->map);
	fr_source_free(&f->src);
	free(f->rates);
	free(f->updated);
	free(f->seen);
	tg_sub_list_free(f->dbs, f->ndb);
}

int tg_import_freeradius(int argc, char **argv)
{
	struct fr_import f = {};
	struct import *im = &f.im;
	struct tg_dp_ids ids = {};
	struct timespec t0, t1;
	const char *src = NULL, *label;
	struct tg_sub *keep = NULL;
	char err[512];
	size_t i, nkeep = 0;
	bool dry = false, in_txn = false, changed;
	int j, ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (j = 1; j < argc; j++) {
		if (tg_is_help(argv[j]))
			return do_import(2, (char *[]){ "import", "help", NULL });
		if (tg_take_json(argv[j]))
			continue;
		if (!strcmp(argv[j], "--dry-run") || !strcmp(argv[j], "-n")) {
			dry = true;
			continue;
		}
		if (!strcmp(argv[j], "--freeradius")) {
			if (j + 1 >= argc) {
				tg_err("import: --freeradius needs SOURCE, a file or a connection string");
				return -EINVAL;
			}
			src = argv[++j];
			continue;
		}
		tg_err("import: unexpected argument '%s'; try 'tungate import help'",
		       argv[j]);
		return -EINVAL;
	}
	if (!src) {
		tg_err("import: --freeradius needs SOURCE, a file or a connection string");
		return -EINVAL;
	}
	/* A connection string may hold a password: never printed. */
	label = fr_source_is_postgresql(src) ? "PostgreSQL" : src;
	ret = fr_source_read(src, &f.src, err, sizeof(err));
	if (ret) {
		tg_err("import: --freeradius: %s", err);
		return ret;
	}
	im->src = &f.src;
	im->where = fr_where;

	ret = tg_ifnets_load(tg_pin_root(), &im->nets, &im->nnets);
	if (ret) {
		tg_err("import: cannot read the interfaces' addresses: %s",
		       strerror(-ret));
		goto out;
	}
	ret = tg_db_open(tg_db_path(), false, &im->db);
	if (ret)
		goto out;
	if (tg_db_begin_write(im->db)) {
		tg_err("import: database busy or not writable: %s",
		       sqlite3_errmsg(im->db));
		ret = -EIO;
		goto out;
	}
	in_txn = true;
	ret = tg_db_sub_list(im->db, false, &f.dbs, &f.ndb);
	if (!ret)
		ret = tg_db_class_list(im->db, &im->cls, &im->ncls);
	if (!ret)
		ret = tg_dp_ids_begin(im->db, TG_MAX_SUBS_DEFAULT, &ids);
	if (ret) {
		tg_err("import: cannot read the database %s", tg_db_path());
		goto out;
	}
	im->ndbcls = im->ncls;
	im->cls_line = calloc(im->ncls + 1, sizeof(*im->cls_line));
	f.updated = calloc(f.ndb + 1, sizeof(*f.updated));
	f.seen = calloc(f.ndb + 1, sizeof(*f.seen));
	ret = -ENOMEM;
	if (!im->cls_line || !f.updated || !f.seen)
		goto out;

	ret = fr_map(&f.src, &f.map, &im->bad);
	if (!ret)
		ret = fr_classes(&f);
	if (!ret)
		ret = fr_members(&f);
	if (ret)
		goto out;
	/* The rows this import replaces are checked as its own. */
	keep = malloc((f.ndb + 1) * sizeof(*keep));
	ret = -ENOMEM;
	if (!keep)
		goto out;
	for (i = 0; i < f.ndb; i++)
		if (!f.updated[i])
			keep[nkeep++] = f.dbs[i];
	ret = imp_cross(im, keep, nkeep, &ids);
	if (ret)
		goto out;
	if (im->bad.n) {
		if (!tg_opts.json) {
			/* Refused: stdout stays empty, as for every refusal. */
			fr_list_text(stderr, im, &f.map.skipped, "not imported");
			fr_list_text(stderr, im, &f.map.unmapped, "not mapped");
		}
		imp_report(im, label);
		ret = -EINVAL;
		goto out;
	}
	changed = im->nsubs || im->ncls > im->ndbcls;
	if (!dry && changed) {
		ret = imp_write(im, &ids);
		if (!ret)
			ret = tg_db_commit(im->db);
		if (ret) {
			tg_err("import: cannot write the database: %s",
			       sqlite3_errmsg(im->db));
			goto out;
		}
		in_txn = false;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fr_report(&f, label, dry, changed, (t1.tv_sec - t0.tv_sec) +
		  (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ret = 0;
out:
	if (in_txn)
		tg_db_rollback(im->db);
	tg_db_close(im->db);
	im->db = NULL;
	free(keep);
	tg_dp_ids_free(&ids);
	fr_free(&f);
	return ret;
}
