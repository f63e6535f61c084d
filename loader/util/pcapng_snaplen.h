/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcapng files made readable by libpcap, which refuses interfaces of
 * different snapshot lengths (dumpcap writes them when it captures on
 * several interfaces).
 */
#ifndef TUNGATE_PCAPNG_SNAPLEN_H
#define TUNGATE_PCAPNG_SNAPLEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Walks the block headers of the pcapng file f (seekable, left at an
 * unspecified position) and says in *differ whether its interfaces differ
 * in snapshot length. Stops at the first block it cannot follow:
 * everything else is libpcap's to check. Returns 0, or -EINVAL with a
 * message in err when sections differ in byte order, which libpcap cannot
 * read either but reports as a bad block length.
 */
int tg_pcapng_snaplen_check(FILE *f, bool *differ, char *err, size_t err_len);

/*
 * Gives every interface of the pcapng file in d (n bytes) the largest
 * snapshot length among them, or none when one has none, in place.
 */
void tg_pcapng_snaplen_even(uint8_t *d, size_t n);

#endif /* TUNGATE_PCAPNG_SNAPLEN_H */
