#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run a command while holding a database as a tungate command holds it.

usage: busy_hold.py DATABASE COMMAND [ARGS...]

Takes what a command on PostgreSQL's snapshot takes from its pull to its
push: flock, and the open file description write lock on the byte that
marks it busy (loader/db/watcher.c: 2^62 + 1), which its daemon waits
for; runs COMMAND; releases both when it ends. Exits with its status.
"""
import fcntl
import os
import struct
import subprocess
import sys

BUSY_BYTE = (1 << 62) + 1


def main():
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CLOEXEC)
    fcntl.flock(fd, fcntl.LOCK_EX)
    # struct flock: l_type, l_whence, l_start, l_len, l_pid (padded).
    lk = struct.pack("@hhqqixxxx", fcntl.F_WRLCK, os.SEEK_SET, BUSY_BYTE, 1, 0)
    fcntl.fcntl(fd, fcntl.F_OFD_SETLKW, lk)
    rc = subprocess.call(sys.argv[2:])
    os.close(fd)
    sys.exit(rc)


if __name__ == "__main__":
    main()
