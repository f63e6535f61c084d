/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of the data plane's reason codes (TG_REASONS in tungate.h). */
#ifndef TG_REASON_H
#define TG_REASON_H

#include <linux/types.h>

/* "spoofed_src" for TG_R_SPOOFED_SRC; NULL for a value with no name. */
const char *tg_reason_name(__u32 reason);
/* The reverse: a reason value, or -ENOENT for an unknown name. */
int tg_reason_parse(const char *name);

#endif /* TG_REASON_H */
