#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send one GRE tunnel carrying many inner UDP flows (the steering test).

usage: steer_flows.py IFACE DST_MAC REMOTE SRC_NET FLOWS COUNT

COUNT frames from REMOTE to 192.0.2.1, GRE with checksum, key 7 and
sequence numbers, each carrying UDP to 198.51.100.2:9999 from
SRC_NET.<flow % 250 + 2>, source port 20000 + flow, flow = index % FLOWS;
payload "steer <index>" (udp_sink.py counts them).
"""
import sys

from scapy.all import GRE, IP, UDP, Ether, Raw, conf, sendp


def main():
    iface, dst_mac, remote, net = sys.argv[1:5]
    flows, count = int(sys.argv[5]), int(sys.argv[6])
    conf.verb = 0
    frames = []
    for i in range(count):
        f = i % flows
        inner = (IP(src="%s.%d" % (net, f % 250 + 2), dst="198.51.100.2", ttl=64) /
                 UDP(sport=20000 + f, dport=9999) / Raw(b"steer %d" % i))
        gre = GRE(chksum_present=1, key_present=1, key=7, seqnum_present=1,
                  sequence_number=i, proto=0x0800)
        frames.append(Ether(dst=dst_mac) / IP(src=remote, dst="192.0.2.1") / gre / inner)
    sendp(frames, iface=iface, verbose=False)


if __name__ == "__main__":
    main()
