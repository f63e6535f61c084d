#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare the packets of two pcap files byte for byte.

Usage: pcapcmp.py [--case NAME] EXPECTED ACTUAL

Timestamps are ignored. For every packet that differs, prints the case, the
packet index (from 1), a scapy summary of both and a hexdump of both with
the first lines and every differing line. Exits 1 when anything differs,
2 on a file that cannot be read.
"""

import argparse
import importlib
import struct
import sys

from scapy.layers.l2 import Ether
from scapy.utils import hexdump


# Differing hexdump lines shown per packet.
MAX_LINES = 16


def read_pcap(path):
    """Packets of a classic pcap (either byte order, usec or nsec) or of a
    pcapng file (enhanced and simple packet blocks)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: too short for a pcap header" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(path, data)
    else:
        raise ValueError("%s: not a pcap file" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError("%s: link type %d, not Ethernet" % (path, linktype))
    pkts = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("%s: cut in a record header" % path)
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        if off + incl > len(data):
            raise ValueError("%s: cut in a record" % path)
        pkts.append(data[off:off + incl])
        off += incl
    return pkts


def read_pcapng(path, data):
    pkts = []
    off = 0
    end = "<"
    while off + 12 <= len(data):
        btype = data[off:off + 4]
        if btype == b"\x0a\x0d\x0d\x0a":
            end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            raise ValueError("%s: bad pcapng block" % path)
        if btype == 6:
            cap = struct.unpack(end + "I", data[off + 20:off + 24])[0]
            pkts.append(data[off + 28:off + 28 + cap])
        elif btype == 3:
            orig = struct.unpack(end + "I", data[off + 8:off + 12])[0]
            pkts.append(data[off + 12:off + 12 + min(orig, blen - 16)])
        off += blen
    return pkts


# Loaded for their side effect: Ether() then decodes IPv4 and IPv6.
for _mod in ("scapy.layers.inet", "scapy.layers.inet6"):
    importlib.import_module(_mod)


def describe(b):
    try:
        return Ether(b).summary()
    except Exception as e:  # a summary is only a help for the reader
        return "(undecodable: %s)" % e


def show_diff(exp, act):
    he = hexdump(exp, dump=True).splitlines()
    ha = hexdump(act, dump=True).splitlines()
    shown = 0
    skipped = False
    for i in range(max(len(he), len(ha))):
        a = he[i] if i < len(he) else ""
        b = ha[i] if i < len(ha) else ""
        if a == b and i >= 4:
            skipped = True
            continue
        if a != b and shown >= MAX_LINES:
            print("  ... more differences")
            break
        if skipped:
            print("  ...")
            skipped = False
        if a == b:
            print("    exp %s" % a)
            continue
        shown += 1
        print("  ! exp %s" % a)
        print("  ! got %s" % b)
    n = min(len(exp), len(act))
    first = next((i for i in range(n) if exp[i] != act[i]), n)
    print("  first difference at byte %d (0x%x)" % (first, first))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="")
    ap.add_argument("expected")
    ap.add_argument("actual")
    args = ap.parse_args()
    prefix = args.case + ": " if args.case else ""
    try:
        exp = read_pcap(args.expected)
        act = read_pcap(args.actual)
    except (OSError, ValueError) as e:
        print("%s%s" % (prefix, e))
        return 2
    bad = 0
    if len(exp) != len(act):
        print("%sexpected %d packets, got %d" % (prefix, len(exp), len(act)))
        bad += 1
    for i, (e, a) in enumerate(zip(exp, act), 1):
        if e == a:
            continue
        bad += 1
        print("%spacket %d differs (expected %d bytes, got %d)" %
              (prefix, i, len(e), len(a)))
        print("  exp: " + describe(e))
        print("  got: " + describe(a))
        show_diff(e, a)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
