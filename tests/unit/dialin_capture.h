/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A recorded dial-in (tests/lns/capture/): every frame of the capture, by
 * frame number, as the L2TP its UDP carries, read with the project's own
 * pcap reader, so that the suites replay the file itself.
 */
#ifndef TG_TEST_DIALIN_CAPTURE_H
#define TG_TEST_DIALIN_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lns/l2tp.h"

#define DIALIN_FRAMES_MAX 128U

struct dialin_frame {
	bool udp;		/* L2TP on UDP port 1701, else (ICMP) not */
	bool from_lac;		/* to the LNS's address, else from it */
	uint64_t ms;		/* since the first frame */
	uint8_t l2tp[L2TP_MSG_MAX];	/* the UDP payload */
	size_t len;
};

struct dialin_capture {
	struct dialin_frame f[DIALIN_FRAMES_MAX + 1];	/* f[1]: frame 1 */
	unsigned int n;
};

/*
 * Read the capture at path (relative to the repository's top, where the
 * suites run) whose LNS has the IPv4 address lns: 0, or a negative errno
 * with the cause in err.
 */
int dialin_capture_load(struct dialin_capture *c, const char *path,
			const char *lns, char *err, size_t errlen);

/* Where PPP starts in a data message (after its L2TP header), 0 if bad. */
size_t dialin_ppp_offset(const uint8_t *l2tp, size_t len);

#endif /* TG_TEST_DIALIN_CAPTURE_H */
