#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""
Check a `tungate replay` run over a third-party capture against tshark's own
dissection of the input.

Decapsulated packets (reason ok, ttl_expired, fib_*, egress_unmanaged): the
output frame must hold exactly the inner IP packet that tshark finds inside
the tunnel (the second IP layer of the frame), with the same addresses, id
and length, the TTL or hop limit one less when redirected (unchanged
otherwise), the same payload bytes and the same trailing bytes, behind an
Ethernet header with the inner ethertype and the uplink's addresses when
redirected (the outer ones otherwise).
ARP requests and neighbour solicitations answered in the tunnel (reason
neigh_reply) must be sent back (tx). Every other packet must come out byte
for byte as it went in, with the verdict the reason calls for (pass or drop,
never redirect).

Also checks the number of decapsulated packets and, when given, the count of
every reason.
"""

import argparse
import ipaddress
import json
import struct
import subprocess
import sys

UP0_MAC = bytes.fromhex("020000000101")
UP0P_MAC = bytes.fromhex("020000000102")

# Reasons that leave the packet decapsulated, and the verdict each calls for.
DECAP_VERDICT = {
    "ok": "redirect",
    "ttl_expired": "pass",
    "fib_no_neigh": "pass",
    "fib_blackhole": "drop",
    "fib_unreachable": "pass",
    "fib_prohibit": "drop",
    "fib_not_fwded": "pass",
    "fib_fwd_disabled": "pass",
    "fib_frag_needed": "pass",
    "fib_other": "pass",
    "egress_unmanaged": "pass",
}

# Reasons that leave the packet untouched, and the verdicts allowed for each.
UNTOUCHED_VERDICTS = {
    "spoofed_src": ("drop",),
    "reserved_dst": ("drop",),
    "bad_cookie": ("drop",),
    "gre_bad_csum": ("drop",),
    "inner_malformed": ("drop",),
    "control": ("pass",),
    "unsupported_payload": ("pass",),
    "not_tunnel": ("pass",),
    "outer_fragment": ("pass",),
    "unknown_tunnel": ("pass", "drop"),
    "truncated": ("pass",),
    "gre_unsupported": ("pass",),
    "internal": ("drop",),
}

DEFAULT_TSHARK_ARGS = [
    # Offsets must point into the frame itself, not a reassembled buffer.
    "-o", "ip.defragment:FALSE",
    "-o", "ipv6.defragment:FALSE",
]


def read_pcap(path):
    """Frames of a classic pcap file, either byte order, usec or nsec."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: too short for a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected 1")
    frames = []
    pos = 24
    while pos < len(data):
        if pos + 16 > len(data):
            raise ValueError(f"{path}: truncated record header")
        _, _, caplen, _ = struct.unpack(end + "IIII", data[pos:pos + 16])
        pos += 16
        if pos + caplen > len(data):
            raise ValueError(f"{path}: truncated record")
        frames.append(data[pos:pos + caplen])
        pos += caplen
    return frames


def as_list(v):
    if v is None:
        return []
    if isinstance(v, list) and v and isinstance(v[0], (list, dict)):
        return v
    return [v]


def tshark_packets(path, extra):
    cmd = ["tshark", "-n", "-r", path, "-T", "json", "-x",
           "--no-duplicate-keys"] + DEFAULT_TSHARK_ARGS + extra
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=False)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {res.stderr.decode().strip()}")
    pkts = []
    for p in json.loads(res.stdout or b"[]"):
        layers = p["_source"]["layers"]
        raw = layers["frame_raw"]
        frame = bytes.fromhex(raw[0] if isinstance(raw, list) else raw)
        ips = []
        for proto in ("ip", "ipv6"):
            raws = as_list(layers.get(proto + "_raw"))
            trees = as_list(layers.get(proto))
            for r, t in zip(raws, trees):
                ips.append((r[1], proto, bytes.fromhex(r[0]), t))
        ips.sort(key=lambda x: x[0])
        pkts.append({"frame": frame, "ips": ips})
    return pkts


def csum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def kernel_ttl_csum(check):
    """ip_decrease_ttl()'s incremental update of the header checksum."""
    check += 0x0100
    return (check + (check >= 0xFFFF)) & 0xFFFF


def num(v):
    return int(v, 0)


def check_inner4(errs, inb, off, t, outb, redirected):
    hl = (inb[off] & 0x0F) * 4
    length = num(t["ip.len"])
    ip_in = inb[off:off + length]
    ip_out = outb[14:14 + length]
    if len(ip_in) < length or hl < 20:
        errs.append("tshark's inner IPv4 header does not fit the input")
        return
    if len(ip_out) < length:
        errs.append(f"output holds {len(ip_out)} IP bytes, inner ip.len is "
                    f"{length}")
        return
    src = ".".join(str(x) for x in ip_out[12:16])
    dst = ".".join(str(x) for x in ip_out[16:20])
    if src != t["ip.src"] or dst != t["ip.dst"]:
        errs.append(f"addresses {src} > {dst}, tshark says "
                    f"{t['ip.src']} > {t['ip.dst']}")
    if struct.unpack("!H", ip_out[4:6])[0] != num(t["ip.id"]):
        errs.append(f"ip.id {ip_out[4:6].hex()}, tshark says {t['ip.id']}")
    if struct.unpack("!H", ip_out[2:4])[0] != length:
        errs.append(f"ip.len {ip_out[2:4].hex()}, tshark says {length}")
    ttl = num(t["ip.ttl"])
    want_ttl = ttl - 1 if redirected else ttl
    if ip_out[8] != want_ttl:
        errs.append(f"ttl {ip_out[8]}, input {ttl}, expected {want_ttl}")
    if ip_out[:8] != ip_in[:8] or ip_out[9:10] != ip_in[9:10] or \
            ip_out[12:hl] != ip_in[12:hl]:
        errs.append("IPv4 header bytes other than ttl/checksum changed")
    in_ck = struct.unpack("!H", ip_in[10:12])[0]
    out_ck = struct.unpack("!H", ip_out[10:12])[0]
    if redirected:
        in_valid = csum16(ip_in[:hl]) == 0xFFFF
        out_valid = csum16(ip_out[:hl]) == 0xFFFF
        if out_ck != kernel_ttl_csum(in_ck) and not (in_valid and out_valid):
            errs.append(f"header checksum {out_ck:#06x} after ttl decrement "
                        f"(input {in_ck:#06x}, expected "
                        f"{kernel_ttl_csum(in_ck):#06x})")
    elif out_ck != in_ck:
        errs.append(f"header checksum changed {in_ck:#06x} -> {out_ck:#06x} "
                    "without a ttl decrement")
    if ip_out[hl:] != ip_in[hl:]:
        errs.append("inner IPv4 payload bytes differ from the input's")
    if outb[14 + length:] != inb[off + length:]:
        errs.append(f"bytes after the inner packet differ: output "
                    f"{len(outb) - 14 - length}, input "
                    f"{len(inb) - off - length}")


def v6(b):
    return str(ipaddress.IPv6Address(b))


def check_inner6(errs, inb, off, t, outb, redirected):
    length = 40 + num(t["ipv6.plen"])
    ip_in = inb[off:off + length]
    ip_out = outb[14:14 + length]
    if len(ip_in) < length:
        errs.append("tshark's inner IPv6 packet does not fit the input")
        return
    if len(ip_out) < length:
        errs.append(f"output holds {len(ip_out)} IP bytes, inner IPv6 "
                    f"length is {length}")
        return
    src, dst = v6(ip_out[8:24]), v6(ip_out[24:40])
    tsrc = str(ipaddress.IPv6Address(t["ipv6.src"]))
    tdst = str(ipaddress.IPv6Address(t["ipv6.dst"]))
    if src != tsrc or dst != tdst:
        errs.append(f"addresses {src} > {dst}, tshark says {tsrc} > {tdst}")
    if struct.unpack("!H", ip_out[4:6])[0] != num(t["ipv6.plen"]):
        errs.append(f"payload length {ip_out[4:6].hex()}, tshark says "
                    f"{t['ipv6.plen']}")
    hlim = num(t["ipv6.hlim"])
    want = hlim - 1 if redirected else hlim
    if ip_out[7] != want:
        errs.append(f"hop limit {ip_out[7]}, input {hlim}, expected {want}")
    if ip_out[:7] != ip_in[:7] or ip_out[8:40] != ip_in[8:40]:
        errs.append("IPv6 header bytes other than the hop limit changed")
    if ip_out[40:] != ip_in[40:]:
        errs.append("inner IPv6 payload bytes differ from the input's")
    if outb[14 + length:] != inb[off + length:]:
        errs.append(f"bytes after the inner packet differ: output "
                    f"{len(outb) - 14 - length}, input "
                    f"{len(inb) - off - length}")


def check_decap(pkt, outb, v):
    """Errors for a packet the replay says it decapsulated."""
    errs = []
    inb = pkt["frame"]
    ips = pkt["ips"]
    if len(ips) < 2:
        return ["decapsulated, but tshark sees no inner IP packet"]
    off, proto, hdr, tree = ips[1]
    if inb[off:off + len(hdr)] != hdr:
        return ["tshark's inner IP layer is not in the frame bytes"]
    need = ("ip.len", "ip.src", "ip.dst", "ip.id", "ip.ttl") if proto == "ip" \
        else ("ipv6.plen", "ipv6.src", "ipv6.dst", "ipv6.hlim")
    if any(k not in tree for k in need):
        return ["decapsulated, but tshark finds no valid inner IP header"]
    redirected = v["reason"] == "ok"
    if len(outb) < 14:
        return [f"output frame of {len(outb)} bytes"]
    if redirected:
        if outb[0:6] != UP0P_MAC or outb[6:12] != UP0_MAC:
            errs.append(f"eth {outb[6:12].hex(':')} > {outb[0:6].hex(':')}, "
                        f"expected {UP0_MAC.hex(':')} > {UP0P_MAC.hex(':')}")
        if v.get("egress") != "up0":
            errs.append(f"egress {v.get('egress')}, expected up0")
    elif outb[0:12] != inb[0:12]:
        errs.append("outer Ethernet addresses not kept")
    if not v.get("subscriber"):
        errs.append("no subscriber named for a decapsulated packet")
    etype = struct.unpack("!H", outb[12:14])[0]
    want = 0x0800 if proto == "ip" else 0x86DD
    if etype != want:
        errs.append(f"ethertype {etype:#06x}, expected {want:#06x}")
    if len(outb) != 14 + len(inb) - off:
        errs.append(f"output {len(outb)} bytes, expected "
                    f"{14 + len(inb) - off} (input {len(inb)}, inner IP at "
                    f"{off})")
    if proto == "ip":
        check_inner4(errs, inb, off, tree, outb, redirected)
    else:
        check_inner6(errs, inb, off, tree, outb, redirected)
    return errs


def parse_expect(spec):
    """'ok=3 control|truncated=2' -> [({'ok'}, 3), ({'control',...}, 2)]"""
    terms = []
    for word in spec.split():
        names, _, count = word.partition("=")
        terms.append((set(names.split("|")), int(count)))
    return terms


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--verdicts", required=True, help="replay -j output")
    ap.add_argument("--expect-decap", type=int, required=True)
    ap.add_argument("--expect-reasons", default="",
                    help="'reason[|reason]=count ...' covering every reason")
    ap.add_argument("--expect-at", default="",
                    help="'index=reason[|reason] ...' for single packets")
    ap.add_argument("--tshark-arg", action="append", default=[],
                    help="extra tshark argument (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    pkts = tshark_packets(a.inp, a.tshark_arg)
    expect_at = {}
    for word in a.expect_at.split():
        idx, _, names = word.partition("=")
        expect_at[int(idx)] = set(names.split("|"))
    outs = read_pcap(a.out)
    with open(a.verdicts) as f:
        verdicts = json.load(f)

    errors = []
    if not (len(pkts) == len(outs) == len(verdicts)):
        errors.append(f"{len(pkts)} input packets, {len(outs)} output "
                      f"records, {len(verdicts)} verdicts")
    counts = {}
    decap = passed = dropped = 0
    for i, (pkt, outb, v) in enumerate(zip(pkts, outs, verdicts), 1):
        errs = []
        if v.get("index") != i:
            errs.append(f"verdict index {v.get('index')}")
        reason, verdict = v.get("reason"), v.get("verdict")
        counts[reason] = counts.get(reason, 0) + 1
        if verdict == "pass":
            passed += 1
        elif verdict == "drop":
            dropped += 1
        if reason in DECAP_VERDICT:
            decap += 1
            if verdict != DECAP_VERDICT[reason]:
                errs.append(f"verdict {verdict} for {reason}, expected "
                            f"{DECAP_VERDICT[reason]}")
            errs += check_decap(pkt, outb, v)
        elif reason in UNTOUCHED_VERDICTS:
            if verdict not in UNTOUCHED_VERDICTS[reason]:
                errs.append(f"verdict {verdict} for {reason}, expected "
                            f"{'/'.join(UNTOUCHED_VERDICTS[reason])}")
            want = pkt["frame"]
            if len(want) < 14:
                # replay runs such frames zero-padded to an Ethernet header
                want = want + bytes(14 - len(want))
            if outb != want:
                errs.append(f"{reason}: output differs from input "
                            f"({len(outb)} vs {len(want)} bytes)")
        elif reason == "neigh_reply":
            # An ARP or ND answer written over the request: its bytes are
            # checked by the unit tests and the l2_control case.
            if verdict != "tx":
                errs.append(f"verdict {verdict} for {reason}, expected tx")
        else:
            errs.append(f"unknown reason {reason!r} (verdict {verdict})")
        if i in expect_at and reason not in expect_at[i]:
            errs.append(f"expected {'|'.join(sorted(expect_at[i]))}")
        for e in errs:
            errors.append(f"packet {i} ({verdict} {reason}): {e}")
        if a.verbose:
            print(f"  {i} {verdict} {reason} {v.get('subscriber')}")

    if decap != a.expect_decap:
        errors.append(f"{decap} packets decapsulated, expected "
                      f"{a.expect_decap}")
    if a.expect_reasons:
        covered = set()
        for names, want in parse_expect(a.expect_reasons):
            got = sum(counts.get(n, 0) for n in names)
            covered |= names
            if got != want:
                errors.append(f"{'|'.join(sorted(names))}: {got} packets, "
                              f"expected {want}")
        for r in sorted(set(counts) - covered):
            errors.append(f"{r}: {counts[r]} packets, expected none")

    hist = " ".join(f"{r}={n}" for r, n in sorted(counts.items()))
    print(f"decapsulated={decap} passed={passed} dropped={dropped} [{hist}]")
    for e in errors[:40]:
        print(f"  {e}")
    if len(errors) > 40:
        print(f"  ... {len(errors) - 40} more")
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        print(f"check.py: {e}")
        sys.exit(2)
