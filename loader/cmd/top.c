// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate top: subscribers sorted by their current rate, refreshed every
 * interval, in 80 columns with plain ANSI escapes. On a terminal it runs
 * until q or Ctrl-C and restores the terminal; otherwise (or with --once)
 * it prints one frame and exits.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "dataplane/counters.h"
#include "dataplane/dataplane.h"
#include "db/db.h"

#define TOP_INTERVAL_MS 1000
#define TOP_HEADER_LINES 5

enum top_sort { SORT_DOWN, SORT_UP, SORT_DROPS };
static const char *const sort_names[] = { "down", "up", "drops" };

struct row {
	const struct tg_sub_snap *s;
	struct tg_sub_rate r;
};

static volatile sig_atomic_t top_stop;
static struct termios top_saved;
static bool top_tty;
static enum top_sort top_order;

static int top_help(void)
{
	printf("Usage: tungate top [--sort down|up|drops] [--interval MS] [--once]\n"
	       "\n"
	       "A live view of the subscribers sorted by their current rate: down\n"
	       "(toward them, the default), up, or drops per second (then drops\n"
	       "in all). Refreshed every MS milliseconds (default %d), the rate\n"
	       "being what the counters grew in that time. Keys: q (or Ctrl-C)\n"
	       "quits, d, u and x sort by down, up and drops. When standard output\n"
	       "is not a terminal, or with --once, prints one frame of every\n"
	       "subscriber (rates over one interval) and exits. STATE is up,\n"
	       "idle or down as in 'tungate stats'.\n",
	       TOP_INTERVAL_MS);
	return 0;
}

static void on_signal(int sig)
{
	top_stop = 1;
}

static void term_restore(void)
{
	if (!top_tty)
		return;
	/* Cursor back, main screen back, modes back. */
	printf("\033[?25h\033[?1049l");
	fflush(stdout);
	if (isatty(STDIN_FILENO))
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &top_saved);
	top_tty = false;
}

static void term_setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios t;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &top_saved)) {
		t = top_saved;
		/* cbreak: keys one by one, no echo; ISIG kept for Ctrl-C. */
		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	}
	top_tty = true;
	printf("\033[?1049h\033[?25l\033[2J");
}

static double sort_key(const struct row *r, int k)
{
	switch (top_order) {
	case SORT_UP:
		return k ? r->r.bits[TG_DIR_DOWN] : r->r.bits[TG_DIR_UP];
	case SORT_DROPS:
		return k ? (double)tg_sub_drops(&r->s->c) : r->r.drops;
	default:
		return k ? r->r.bits[TG_DIR_UP] : r->r.bits[TG_DIR_DOWN];
	}
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	double x, y;
	int k;

	for (k = 0; k < 2; k++) {
		x = sort_key(a, k);
		y = sort_key(b, k);
		if (x != y)
			return x < y ? 1 : -1;
	}
	return strcmp(a->s->name, b->s->name);
}

/* Rows of cur with their rates since prev (0 for a subscriber new in cur). */
static struct row *make_rows(const struct tg_snap *prev,
			     const struct tg_snap *cur)
{
	const struct tg_sub_snap *p;
	struct row *rows;
	size_t i;
	__s32 j;

	rows = calloc(cur->n ? cur->n : 1, sizeof(*rows));
	if (!rows)
		return NULL;
	for (i = 0; i < cur->n; i++) {
		rows[i].s = &cur->subs[i];
		j = cur->subs[i].dp_id < prev->capacity ?
			prev->index[cur->subs[i].dp_id] : -1;
		p = j >= 0 ? &prev->subs[j] : NULL;
		if (p && !strcmp(p->name, cur->subs[i].name))
			tg_sub_rate(&p->c, &cur->subs[i].c,
				    cur->clock.mono_ns - prev->clock.mono_ns, &rows[i].r);
	}
	qsort(rows, cur->n, sizeof(*rows), row_cmp);
	return rows;
}

/* One line: cleared to its end on a terminal. */
static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("%s\n", top_tty ? "\033[K" : "");
}

static void render(const struct tg_snap *cur, const struct row *rows,
		   size_t max_rows)
{
	char a[24], b[24], c[16], d[16], e[16], f[16];
	double tot[TG_DIR_MAX] = {}, drops = 0;
	size_t live[TG_LIVE_MAX] = {};
	struct tm tm;
	time_t now;
	size_t i;

	for (i = 0; i < cur->n; i++) {
		tot[TG_DIR_DOWN] += rows[i].r.bits[TG_DIR_DOWN];
		tot[TG_DIR_UP] += rows[i].r.bits[TG_DIR_UP];
		drops += rows[i].r.drops;
		live[tg_snap_live(cur, rows[i].s)]++;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	if (top_tty)
		printf("\033[H");
	line("tungate top  %02d:%02d:%02d  %zu subscriber%s  sort: %s%s",
	     tm.tm_hour, tm.tm_min, tm.tm_sec, cur->n, cur->n == 1 ? "" : "s",
	     sort_names[top_order], top_tty ? "   q quit, d/u/x sort" : "");
	tg_fmt_bits(tot[TG_DIR_DOWN], a, sizeof(a));
	tg_fmt_bits(tot[TG_DIR_UP], b, sizeof(b));
	tg_fmt_si(drops, c, sizeof(c));
	line("total  down %s  up %s  drops %s/s", a, b, c);
	line("state  %zu up  %zu idle  %zu down", live[TG_LIVE_UP],
	     live[TG_LIVE_IDLE], live[TG_LIVE_DOWN]);
	line("%s", "");
	line("%-15s %-8s %-5s %8s %8s %8s %8s %6s %6s", "SUBSCRIBER", "CLASS",
	     "STATE", "DOWN b/s", "UP b/s", "DOWN p/s", "UP p/s", "DROP/s",
	     "DROPS");
	for (i = 0; i < cur->n && i < max_rows; i++) {
		const struct row *r = &rows[i];

		tg_fmt_si(r->r.bits[TG_DIR_DOWN], a, sizeof(a));
		tg_fmt_si(r->r.bits[TG_DIR_UP], b, sizeof(b));
		tg_fmt_si(r->r.packets[TG_DIR_DOWN], c, sizeof(c));
		tg_fmt_si(r->r.packets[TG_DIR_UP], d, sizeof(d));
		tg_fmt_si(r->r.drops, e, sizeof(e));
		tg_fmt_si((double)tg_sub_drops(&r->s->c), f, sizeof(f));
		line("%-15.15s %-8.8s %-5s %8s %8s %8s %8s %6s %6s",
		     r->s->name, r->s->cls,
		     tg_live_name(tg_snap_live(cur, r->s)), a, b, c, d, e, f);
	}
	if (top_tty)
		printf("\033[J");
	fflush(stdout);
}

/* Rows that fit the terminal below the header. */
static size_t term_rows(void)
{
	struct winsize ws;

	if (!top_tty)
		return (size_t)-1;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row <= TOP_HEADER_LINES + 1)
		return 20;
	return ws.ws_row - TOP_HEADER_LINES - 1;
}

static int snap(sqlite3 *db, const struct tg_maps *m, struct tg_snap *s)
{
	int ret;

	ret = tg_snap_load(db, NULL, m->capacity, s);
	if (!ret)
		ret = tg_snap_read(s, m);
	if (ret) {
		tg_snap_free(s);
		tg_err("top: reading counters: %s", strerror(-ret));
	}
	return ret;
}

/* Wait up to ms for a key; handle it. */
static void wait_keys(long long ms)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec ts;
	char ch;

	if (!top_tty || !isatty(STDIN_FILENO)) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000;
		nanosleep(&ts, NULL);
		return;
	}
	if (poll(&p, 1, ms) <= 0 || read(STDIN_FILENO, &ch, 1) != 1)
		return;
	if (ch == 'q' || ch == 'Q')
		top_stop = 1;
	else if (ch == 'd')
		top_order = SORT_DOWN;
	else if (ch == 'u')
		top_order = SORT_UP;
	else if (ch == 'x')
		top_order = SORT_DROPS;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int top_loop(sqlite3 *db, const struct tg_maps *m, __u64 interval,
		    bool once)
{
	struct tg_snap prev, cur;
	long long next;
	struct row *rows;
	int ret;

	ret = snap(db, m, &prev);
	if (ret)
		return ret;
	if (!once)
		term_setup();
	next = mono_ms() + interval;
	while (!top_stop) {
		while (!top_stop && mono_ms() < next)
			wait_keys(next - mono_ms());
		if (top_stop)
			break;
		next += interval;
		ret = snap(db, m, &cur);
		if (ret)
			break;
		rows = make_rows(&prev, &cur);
		if (!rows) {
			tg_snap_free(&cur);
			ret = -ENOMEM;
			break;
		}
		render(&cur, rows, term_rows());
		free(rows);
		tg_snap_free(&prev);
		prev = cur;
		if (once)
			break;
	}
	term_restore();
	tg_snap_free(&prev);
	return ret;
}

int do_top(int argc, char **argv)
{
	struct tg_maps m = TG_MAPS_INIT;
	const char *root = tg_pin_root(), *val;
	__u64 interval = TOP_INTERVAL_MS;
	bool once = !isatty(STDOUT_FILENO);
	sqlite3 *db = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return top_help();
		if (!strcmp(argv[i], "--once")) {
			once = true;
		} else if (!strcmp(argv[i], "--interval")) {
			if (tg_opt_u64("top", argc, argv, &i, 100, 60000,
				       &interval))
				return -EINVAL;
		} else if (!strcmp(argv[i], "--sort")) {
			if (tg_opt_value("top", argc, argv, &i, &val))
				return -EINVAL;
			for (top_order = 0; top_order <= SORT_DROPS; top_order++)
				if (!strcmp(val, sort_names[top_order]))
					break;
			if (top_order > SORT_DROPS) {
				tg_err("top: --sort '%s': expected down, up or drops",
				       val);
				return -EINVAL;
			}
		} else {
			tg_err("top: unexpected argument '%s'; try 'tungate top help'",
			       argv[i]);
			return -EINVAL;
		}
	}
	ret = tg_counters_open("top", root, true, &db, &m);
	if (ret)
		goto out;
	ret = top_loop(db, &m, interval, once);
out:
	tg_maps_close(&m);
	tg_db_close(db);
	return ret;
}
