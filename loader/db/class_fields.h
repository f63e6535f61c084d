/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fields of a rate class, written once, as sub_fields.h does for
 * subscribers. Each X() row: name (option without '--', CSV column, JSON
 * member and SQL column), kind (TG_CK_*), member of struct tg_class,
 * 'class help': argument and text ('\n' between lines; NULL: no option).
 */
#ifndef TG_CLASS_FIELDS_H
#define TG_CLASS_FIELDS_H

#define TG_STR_(x) #x
#define TG_STR(x) TG_STR_(x)

#define TG_CLASS_FIELDS(X)						\
	X("name", NAME, name, NULL, NULL)				\
	X("down_rate", RATE, down_rate, "R",				\
	  "rate toward the subscriber: 512kbit, 10mbit, 1.5gbit\n"	\
	  "(k, m, g: 1000), plain bits/s, or 'unlimited'\n"		\
	  "(default). A zero or malformed rate is refused.")		\
	X("up_rate", RATE, up_rate, "R",				\
	  "rate from the subscriber, same syntax")			\
	X("burst", SIZE, burst, "B",					\
	  "bytes the token bucket holds: 1500, 15k, 1m (k = 1024,\n"	\
	  "m = 1048576); at least 576 and at least the MTU of\n"	\
	  "every subscriber taking it from the class. Default:\n"	\
	  "what the higher rate sends in "				\
	  TG_STR(TG_BURST_DEFAULT_MS) " ms, at least 15k\n"		\
	  "(10mbit: 367k); it follows the rates on 'set' until\n"	\
	  "a --burst is given. TCP needs a burst that covers\n"		\
	  "the window it sends at once: much smaller bursts\n"		\
	  "keep it well below the rate")				\
	X("scope", SCOPE, scope, "S",					\
	  "'internet' (default): everywhere; 'community': only\n"	\
	  "the community prefixes ('tungate community help')")

#define TG_CLASS_ONE(...) + 1
#define TG_CLASS_NFIELDS (0 TG_CLASS_FIELDS(TG_CLASS_ONE))

enum tg_ckind {
	TG_CK_NAME,	/* char[]: a class name */
	TG_CK_RATE,	/* __u64 bits/s, 0: unlimited (NULL in SQL and JSON) */
	TG_CK_SIZE,	/* __u64 bytes */
	TG_CK_SCOPE,	/* enum tg_scope by name */
};

struct tg_class_field {
	const char *name;
	enum tg_ckind kind;
	size_t off;
	const char *arg, *help;
};

#endif /* TG_CLASS_FIELDS_H */
