#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send one RFC 5176 CoA-Request or Disconnect-Request and print the answer:
'code=N error-cause=M' (M 0: none), or 'timeout'.

radius_dae.py HOST PORT SECRET coa|disconnect [--bad-secret] [--msg-auth]
              [user=U] [session=S] [ip=A] [nas-id=N] [nas-ip=A] [filter=F]
              [timeout=T] [rate=MIKROTIK-RATE] [up=BPS] [down=BPS]
"""
import argparse
import hashlib
import hmac
import os
import socket
import struct
import sys

CODES = {"coa": 43, "disconnect": 40}


def attr(t, v):
    return bytes([t, len(v) + 2]) + v


def vsa(vendor, t, v):
    return attr(26, struct.pack("!I", vendor) + bytes([t, len(v) + 2]) + v)


def build_attrs(pairs):
    out = b""
    for p in pairs:
        k, _, v = p.partition("=")
        if k == "user":
            out += attr(1, v.encode())
        elif k == "session":
            out += attr(44, v.encode())
        elif k == "ip":
            out += attr(8, socket.inet_aton(v))
        elif k == "nas-id":
            out += attr(32, v.encode())
        elif k == "nas-ip":
            out += attr(4, socket.inet_aton(v))
        elif k == "filter":
            out += attr(11, v.encode())
        elif k == "timeout":
            out += attr(27, struct.pack("!I", int(v)))
        elif k == "rate":
            out += vsa(14988, 8, v.encode())
        elif k == "up":
            out += vsa(14122, 7, struct.pack("!I", int(v)))
        elif k == "down":
            out += vsa(14122, 8, struct.pack("!I", int(v)))
        else:
            sys.exit(f"radius_dae.py: unknown attribute '{k}'")
    return out


def request(code, ident, attrs, secret, msg_auth):
    if msg_auth:
        attrs += attr(80, bytes(16))
    length = 20 + len(attrs)
    head = struct.pack("!BBH", code, ident, length)
    if msg_auth:
        mac = hmac.new(secret, head + bytes(16) + attrs, hashlib.md5).digest()
        attrs = attrs[:-16] + mac
    auth = hashlib.md5(head + bytes(16) + attrs + secret).digest()
    return head + auth + attrs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("secret")
    ap.add_argument("kind", choices=CODES)
    ap.add_argument("attrs", nargs="*")
    ap.add_argument("--bad-secret", action="store_true")
    ap.add_argument("--msg-auth", action="store_true")
    ap.add_argument("--wait", type=float, default=2.0)
    a = ap.parse_intermixed_args()
    secret = a.secret.encode()
    sign = secret + b"x" if a.bad_secret else secret
    ident = os.getpid() & 0xff
    pkt = request(CODES[a.kind], ident, build_attrs(a.attrs), sign,
                  a.msg_auth)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(a.wait)
    s.sendto(pkt, (a.host, a.port))
    try:
        ans, _ = s.recvfrom(4096)
    except socket.timeout:
        print("timeout")
        return 0
    code, rid, length = struct.unpack("!BBH", ans[:4])
    want = hashlib.md5(ans[:4] + pkt[4:20] + ans[20:length] + secret).digest()
    if rid != ident or length > len(ans) or want != ans[4:20]:
        print("bad-answer")
        return 1
    cause, p = 0, 20
    while p + 2 <= length:
        t, n = ans[p], ans[p + 1]
        if n < 2:
            print("bad-answer")
            return 1
        if t == 101 and n == 6:
            cause = struct.unpack("!I", ans[p + 2:p + 6])[0]
        p += n
    print(f"code={code} error-cause={cause}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
