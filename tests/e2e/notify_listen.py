#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Stand-in for systemd's notification socket (sd_notify).

notify_listen.py SOCKET LOG: binds an AF_UNIX datagram socket at SOCKET
(pass it as NOTIFY_SOCKET) and appends one line per datagram to LOG:
"<ms since start> <fields joined by |>", flushed at once. Exits when a
datagram holds STOPPING=1 (after logging it) or after 120 s.
"""
import os
import socket
import sys
import time

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(1)
t0 = time.monotonic()
with open(log, "a") as out:
    out.write("listening\n")
    out.flush()
    while time.monotonic() - t0 < 120:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        fields = data.decode(errors="replace").strip("\n").split("\n")
        ms = int((time.monotonic() - t0) * 1000)
        out.write("%d %s\n" % (ms, "|".join(fields)))
        out.flush()
        if "STOPPING=1" in fields:
            break
os.unlink(path)
