// SPDX-License-Identifier: GPL-2.0-only
/* The mark of a running daemon on its database (see watcher.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "db/watcher.h"

/* One byte at 2^62: SQLite locks bytes near 2^30 only. */
static void tg_db_watch_range(struct flock *fl, short type)
{
	*fl = (struct flock){
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = 1LL << 62,
		.l_len = 1,
	};
}

int tg_db_watch_hold(const char *path)
{
	struct flock fl;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	tg_db_watch_range(&fl, F_RDLCK);
	if (fcntl(fd, F_OFD_SETLK, &fl)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

bool tg_db_watched(const char *path)
{
	struct flock fl;
	bool held;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	tg_db_watch_range(&fl, F_WRLCK);
	held = !fcntl(fd, F_OFD_GETLK, &fl) && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}
