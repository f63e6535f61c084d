#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn transmit checksum offload off on interfaces (ethtool -K IF tx off).

usage: tx_csum_off.py IFACE...

A veth leaves the TCP/UDP checksum of locally sent packets unfinished
(CHECKSUM_PARTIAL) for the receiver to complete; a frame that XDP redirects
or encapsulates on the far side never gets it completed. Packets from a real
wire always carry a finished checksum: this makes a test host's packets look
like that.
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x17


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for name in sys.argv[1:]:
        cmd = ctypes.create_string_buffer(struct.pack("=II", ETHTOOL_STXCSUM, 0))
        ifr = struct.pack("16sP", name.encode(), ctypes.addressof(cmd)).ljust(40, b"\0")
        fcntl.ioctl(s, SIOCETHTOOL, ifr)


if __name__ == "__main__":
    main()
