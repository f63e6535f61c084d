#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send COUNT UDP datagrams of SIZE payload bytes to DST port 9999.

usage: udp_send.py DST COUNT SIZE

Each IPv4 packet is 28 + SIZE bytes long (IP and UDP headers, payload).
"""
import socket
import sys


def main():
    dst, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"d" * size
    for _ in range(count):
        s.sendto(payload, (dst, 9999))


if __name__ == "__main__":
    main()
