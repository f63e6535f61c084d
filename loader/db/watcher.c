// SPDX-License-Identifier: GPL-2.0-only
/* The mark of a running daemon on its database (see watcher.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "db/watcher.h"

/* One byte at 2^62: SQLite locks bytes near 2^30 only. */
#define TG_DB_WATCH_BYTE (1LL << 62)
/* The byte after it: a command busy on the file. */
#define TG_DB_BUSY_BYTE (TG_DB_WATCH_BYTE + 1)

static void tg_db_lock_range(struct flock *fl, short type, long long byte)
{
	*fl = (struct flock){
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = byte,
		.l_len = 1,
	};
}

static void tg_db_watch_range(struct flock *fl, short type)
{
	tg_db_lock_range(fl, type, TG_DB_WATCH_BYTE);
}

int tg_db_busy_hold(int fd)
{
	struct flock fl;

	tg_db_lock_range(&fl, F_WRLCK, TG_DB_BUSY_BYTE);
	while (fcntl(fd, F_OFD_SETLKW, &fl))
		if (errno != EINTR)
			return -errno;
	return 0;
}

int tg_db_look_begin(int fd)
{
	struct flock fl;

	tg_db_lock_range(&fl, F_RDLCK, TG_DB_BUSY_BYTE);
	if (!fcntl(fd, F_OFD_SETLK, &fl))
		return 1;
	return errno == EAGAIN || errno == EACCES ? 0 : -errno;
}

void tg_db_look_end(int fd)
{
	struct flock fl;

	tg_db_lock_range(&fl, F_UNLCK, TG_DB_BUSY_BYTE);
	fcntl(fd, F_OFD_SETLK, &fl);
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
