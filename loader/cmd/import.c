// SPDX-License-Identifier: GPL-2.0-only
/* What every import shares: checks across rows, the report, the write. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/import.h"
#include "util/cli.h"
#include "util/json.h"

void bad_add(struct bad_rows *b, unsigned int line, const char *fmt, ...)
{
	unsigned int *nl;
	char **nm, *m;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	nl = realloc(b->line, (b->n + 1) * sizeof(*nl));
	if (nl)
		b->line = nl;
	nm = realloc(b->msg, (b->n + 1) * sizeof(*nm));
	if (nm)
		b->msg = nm;
	if (!nl || !nm || !m) {
		free(m);
		return;
	}
	b->line[b->n] = line;
	b->msg[b->n++] = m;
}

struct imp_key {
	struct tg_tun_key k;
	unsigned int line;
	const char *owner;
	bool member;		/* a dial-in member: its session has the ids */
};

static int imp_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct imp_key *)a)->k,
		      &((const struct imp_key *)b)->k, sizeof(struct tg_tun_key));
}

struct imp_name {
	const char *name;
	unsigned int line;
};

static int imp_name_cmp(const void *a, const void *b)
{
	const struct imp_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->line - (int)y->line;
}

const struct tg_class *imp_class(const struct import *im, const char *name)
{
	size_t i;

	for (i = 0; i < im->ncls; i++)
		if (!strcmp(im->cls[i].name, name))
			return &im->cls[i];
	return NULL;
}
/* Owners of the prefixes imp_cross() checks: the database's, the file's. */
struct imp_owners {
	struct import *im;
	const struct tg_sub *dbs;
	size_t ndb;
};

static const char *imp_owner(const struct imp_owners *o, size_t i,
			     unsigned int *line)
{
	if (i < o->ndb) {
		*line = 0;
		return o->dbs[i].name;
	}
	*line = o->im->subs[i - o->ndb].line;
	return o->im->subs[i - o->ndb].s.name;
}

/* Reported on the row of the file (the later one when both are). */
static void imp_overlap_found(void *ctx, const struct tg_owned_prefix *in,
			      const struct tg_owned_prefix *out)
{
	const struct imp_owners *o = ctx;
	const struct tg_owned_prefix *r = in, *other = out;
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];
	const char *name, *oname;
	unsigned int line, oline;

	name = imp_owner(o, in->owner, &line);
	oname = imp_owner(o, out->owner, &oline);
	if (!line) {
		r = out;
		other = in;
		line = oline;
		oname = name;
		name = imp_owner(o, r->owner, &oline);
	}
	tg_prefix_format(&r->p, a, sizeof(a));
	tg_prefix_format(&other->p, b, sizeof(b));
	bad_add(&o->im->bad, line,
		"subscriber '%s': --prefix '%s': overlaps '%s' of subscriber '%s'",
		name, a, b, oname);
}

/* Community prefixes: reported on the file's line (the later one). */
static void imp_community_found(void *ctx, const struct tg_owned_prefix *in,
				const struct tg_owned_prefix *out)
{
	const struct tg_owned_prefix *r = in->owner ? in : out;
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];

	tg_prefix_format(&r->p, a, sizeof(a));
	tg_prefix_format(r == in ? &out->p : &in->p, b, sizeof(b));
	bad_add(ctx, r->owner,
		"community: prefix '%s': overlaps community prefix '%s'", a, b);
}

/* Checks across rows and against the database. */
int imp_cross(struct import *im, struct tg_sub *dbs, size_t ndb,
		     struct tg_dp_ids *ids)
{
	struct imp_name *names = NULL;
	struct imp_key *keys = NULL;
	struct tg_owned_prefix *pf = NULL;
	struct imp_owners ov = { im, dbs, ndb };
	const struct tg_class *c;
	char bs[32];
	size_t i, j, n;
	struct tg_sub *s;
	int ret = -ENOMEM;

	/* Names. */
	n = ndb + im->nsubs;
	names = malloc((n + 1) * sizeof(*names));
	keys = malloc((n + 1) * sizeof(*keys));
	if (!names || !keys)
		goto out;
	for (i = 0; i < ndb; i++) {
		names[i].name = dbs[i].name;
		names[i].line = 0;
		tg_sub_tun_key(&dbs[i], &keys[i].k);
		keys[i].member = tg_sub_member(&dbs[i]);
		keys[i].line = 0;
		keys[i].owner = dbs[i].name;
	}
	for (j = 0; j < im->nsubs; j++, i++) {
		names[i].name = im->subs[j].s.name;
		names[i].line = im->subs[j].line;
		tg_sub_tun_key(&im->subs[j].s, &keys[i].k);
		keys[i].member = tg_sub_member(&im->subs[j].s);
		keys[i].line = im->subs[j].line;
		keys[i].owner = im->subs[j].s.name;
	}
	qsort(names, n, sizeof(*names), imp_name_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(names[i].name, names[i - 1].name))
			continue;
		if (names[i - 1].line)
			bad_add(&im->bad, names[i].line,
				"subscriber '%s': name already on line %u",
				names[i].name, names[i - 1].line);
		else
			bad_add(&im->bad, names[i].line,
				"subscriber '%s': name already exists", names[i].name);
	}
	qsort(keys, n, sizeof(*keys), imp_key_cmp);
	for (i = 1; i < n; i++) {
		if (imp_key_cmp(&keys[i], &keys[i - 1]) || keys[i].member)
			continue;
		/* Report the row of the file (the later one when both are). */
		j = keys[i].line ? i : i - 1;
		bad_add(&im->bad, keys[j].line,
			"subscriber '%s': tunnel: subscriber '%s' has the same type, remote, local and id",
			keys[j].owner, keys[j == i ? i - 1 : i].owner);
	}

	/* Prefixes of the file's rows and the database's. */
	n = 0;
	for (i = 0; i < ndb; i++)
		n += dbs[i].nprefix;
	for (i = 0; i < im->nsubs; i++)
		n += im->subs[i].s.nprefix;
	pf = malloc((n + 1) * sizeof(*pf));
	if (!pf)
		goto out;
	n = 0;
	for (i = 0; i < ndb; i++)
		for (j = 0; j < dbs[i].nprefix; j++)
			pf[n++] = (struct tg_owned_prefix){ dbs[i].prefix[j], i };
	for (i = 0; i < im->nsubs; i++)
		for (j = 0; j < im->subs[i].s.nprefix; j++)
			pf[n++] = (struct tg_owned_prefix){
				im->subs[i].s.prefix[j], ndb + i };
	tg_prefix_overlaps(pf, n, imp_overlap_found, &ov);

	/* Community prefixes among themselves and the database's. */
	tg_prefix_overlaps(im->com, im->ncom, imp_community_found, &im->bad);

	/* Classes, bursts and data plane ids. */
	for (i = 0; i < im->nsubs; i++) {
		s = &im->subs[i].s;
		c = imp_class(im, *s->cls ? s->cls : "default");
		if (!c && *s->cls) {
			bad_add(&im->bad, im->subs[i].line,
				"subscriber '%s': --class '%s': no such class",
				s->name, s->cls);
		} else if (c && !s->has_burst && c->burst < s->mtu) {
			tg_size_format(c->burst, bs, sizeof(bs));
			bad_add(&im->bad, im->subs[i].line,
				"subscriber '%s': --mtu '%u': larger than the burst %s of class '%s'",
				s->name, s->mtu, bs, c->name);
		}
		/* An updated row keeps the id it holds. */
		if (!im->subs[i].has_dp_id || im->subs[i].update)
			continue;
		ret = tg_dp_ids_take(ids, s->dp_id);
		if (ret == -ERANGE)
			bad_add(&im->bad, im->subs[i].line,
				"subscriber '%s': dp_id '%u': out of range 1..%u",
				s->name, s->dp_id, ids->capacity - 1);
		else if (ret)
			bad_add(&im->bad, im->subs[i].line,
				"subscriber '%s': dp_id '%u': already in use or waiting for a sync",
				s->name, s->dp_id);
	}
	for (i = 0; i < im->nsubs; i++) {
		if (im->subs[i].has_dp_id || im->subs[i].update)
			continue;
		if (tg_dp_ids_next(ids, &im->subs[i].s.dp_id)) {
			bad_add(&im->bad, im->subs[i].line,
				"subscriber '%s': no free data plane id below %u",
				im->subs[i].s.name, ids->capacity);
			break;
		}
	}
	ret = 0;
out:
	free(names);
	free(keys);
	free(pf);
	return ret;
}

static int bad_line_cmp(const void *a, const void *b, void *arg)
{
	const struct bad_rows *r = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (r->line[x] != r->line[y])
		return r->line[x] < r->line[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

void imp_report(const struct import *im, const char *path)
{
	struct json_writer *w;
	char where[320];
	size_t *ord, i;

	ord = malloc((im->bad.n + 1) * sizeof(*ord));
	if (!ord)
		return;
	for (i = 0; i < im->bad.n; i++)
		ord[i] = i;
	qsort_r(ord, im->bad.n, sizeof(*ord), bad_line_cmp, (void *)&im->bad);
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (w) {
			char msg[256];

			snprintf(msg, sizeof(msg),
				 "import: %s: %zu bad row%s, nothing imported", path,
				 im->bad.n, im->bad.n == 1 ? "" : "s");
			jsonw_start_object(w);
			jsonw_string_field(w, "error", msg);
			jsonw_name(w, "rows");
			jsonw_start_array(w);
			for (i = 0; i < im->bad.n; i++) {
				jsonw_start_object(w);
				if (im->where) {
					im->where(im, im->bad.line[ord[i]], where,
						  sizeof(where));
					jsonw_string_field(w, "where", where);
				} else {
					jsonw_uint_field(w, "line", im->bad.line[ord[i]]);
				}
				jsonw_string_field(w, "error", im->bad.msg[ord[i]]);
				jsonw_end_object(w);
			}
			jsonw_end_array(w);
			jsonw_end_object(w);
			jsonw_destroy(&w);
		}
	} else {
		fprintf(stderr, "tungate: import: %s: %zu bad row%s, nothing imported:\n",
			path, im->bad.n, im->bad.n == 1 ? "" : "s");
		for (i = 0; i < im->bad.n; i++) {
			if (im->where)
				im->where(im, im->bad.line[ord[i]], where,
					  sizeof(where));
			else
				snprintf(where, sizeof(where), "line %u",
					 im->bad.line[ord[i]]);
			fprintf(stderr, "tungate: import: %s %s: %s\n", path,
				where, im->bad.msg[ord[i]]);
		}
	}
	free(ord);
}

int imp_write(struct import *im, struct tg_dp_ids *ids)
{
	sqlite3_stmt *ins = NULL, *pins = NULL, *st = NULL;
	__s64 first = 0;
	size_t i;
	int err = 0;

	for (i = 0; i < (size_t)im->nset && !err; i++) {
		if (!strcmp(im->set_key[i], "next_dp_id"))
			continue;
		err = tg_db_setting_set(im->db, im->set_key[i], im->set_val[i]);
	}
	for (i = im->ndbcls; i < im->ncls && !err; i++)
		err = tg_db_class_insert(im->db, &im->cls[i]);
	for (i = 0; i < im->ncom && !err; i++)
		if (im->com[i].owner)
			err = tg_db_community_insert(im->db, &im->com[i].p, &st);
	sqlite3_finalize(st);
	/* Updates with the triggers in place: they note what sync applies. */
	for (i = 0; i < im->nsubs && !err; i++)
		if (im->subs[i].update)
			err = tg_db_sub_replace(im->db, &im->subs[i].s);
	if (!err)
		err = tg_db_bulk_begin(im->db);
	for (i = 0; i < im->nsubs && !err; i++) {
		if (im->subs[i].update)
			continue;
		err = tg_db_sub_insert_cached(im->db, &im->subs[i].s, &ins, &pins);
		if (!err && !first)
			first = im->subs[i].s.id;
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(pins);
	if (!err)
		err = tg_db_bulk_end(im->db, first ? first : INT64_MAX);
	if (!err)
		err = tg_dp_ids_end(im->db, ids);
	return err;
}

struct imp_sub *imp_sub_new(struct import *im, unsigned int line)
{
	struct imp_sub *ns, *is;

	if (im->nsubs == im->capsubs) {
		im->capsubs = im->capsubs ? im->capsubs * 2 : 1024;
		ns = realloc(im->subs, im->capsubs * sizeof(*ns));
		if (!ns)
			return NULL;
		im->subs = ns;
	}
	is = &im->subs[im->nsubs];
	memset(is, 0, sizeof(*is));
	tg_sub_init(&is->s);
	is->line = line;
	return is;
}

void bad_free(struct bad_rows *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->msg[i]);
	free(b->msg);
	free(b->line);
	memset(b, 0, sizeof(*b));
}

void imp_free(struct import *im)
{
	size_t i;
	int j;

	for (i = 0; i < im->nsubs; i++)
		tg_sub_free(&im->subs[i].s);
	free(im->subs);
	free(im->cls);
	free(im->cls_line);
	free(im->com);
	free(im->nets);
	for (j = 0; j < im->nset; j++) {
		free(im->set_key[j]);
		free(im->set_val[j]);
	}
	bad_free(&im->bad);
}
