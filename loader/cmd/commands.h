/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Top-level commands of tungate. Each gets argv[0] == its own word
 * ("sub", "replay") and returns 0 or a negative errno after reporting.
 */
#ifndef TG_COMMANDS_H
#define TG_COMMANDS_H

int do_db(int argc, char **argv);
int do_sub(int argc, char **argv);
int do_session(int argc, char **argv);
int do_config(int argc, char **argv);
int do_sync(int argc, char **argv);
int do_run(int argc, char **argv);
int do_replay(int argc, char **argv);
int do_up(int argc, char **argv);
int do_down(int argc, char **argv);
int do_status(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_usage(int argc, char **argv);
int do_top(int argc, char **argv);
int do_class(int argc, char **argv);
int do_community(int argc, char **argv);
int do_import(int argc, char **argv);
int do_export(int argc, char **argv);
int do_bird(int argc, char **argv);
int do_pop(int argc, char **argv);
int do_drain(int argc, char **argv);
int do_wg(int argc, char **argv);

/*
 * What applies a change to the database: "run 'tungate sync' to apply",
 * or that the 'tungate run' watching it does.
 */
const char *tg_apply_hint(void);

struct sqlite3;
/* The largest frame (Ethernet header on) native XDP hands the programs. */
unsigned int tg_frames_native_max(void);
/*
 * Whether every enabled subscriber of db makes tunnel frames native XDP
 * on interface native_if carries: 0, or -EMSGSIZE after naming the first
 * that does not, its MTU, the limit and the way out (as "tungate: what:").
 */
int tg_frames_check(struct sqlite3 *db, const char *what,
		    const char *native_if);
/* The same when a subscriber interface under pin_root runs native XDP. */
int tg_frames_check_attached(struct sqlite3 *db, const char *what,
			     const char *pin_root);

struct json_writer;
struct tg_sub;
struct tg_class;
struct tg_session;
struct tg_live_at;
/*
 * A subscriber as the JSON object of 'sub show -j' (eff: rates in effect;
 * with eff, a member's session or null, and its liveness, live, or null).
 */
void tg_sub_json(struct json_writer *w, const struct tg_sub *s,
		 const char *origin,
		 const struct tg_class *eff, const struct tg_session *sess,
		 const struct tg_live_at *live);

/* A session as 'session show -j' has it; as one line of text. */
void tg_session_json(struct json_writer *w, const struct tg_session *s);
void tg_session_text(const struct tg_session *s, char *buf, size_t len);

#endif /* TG_COMMANDS_H */
