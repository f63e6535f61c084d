#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""icmp_echo.py with DF clear on IPv4 (IP_PMTUDISC_DONT): a request larger
than a path's MTU is fragmented by the sender and by routers on the way.

usage: icmp_echo_nodf.py SRC DST COUNT [SIZE]
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import icmp_echo  # noqa: E402

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0


class NoDfSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.family == socket.AF_INET:
            self.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)


if __name__ == "__main__":
    socket.socket = NoDfSocket
    icmp_echo.main()
