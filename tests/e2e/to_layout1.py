#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Rewrite the maps pinned under PIN as layout 1 had them, in place.

Layout 1 knew no generations: every subscriber's configuration was in
tg_encap/tg_police, a tg_tunnels value named its sub_id where layout 2
has the slot-0 claim (c[1] all zero), the prefix tries held the bare
__u32 sub_id, tg_police values were 40 bytes (no prefixes of the
subscriber's own), and tg_gen, tg_encap1, tg_police1 did not exist. What is in
force now (the claim that holds, by tg_gen) is kept: the configuration of
slot 1 is copied into slot 0, each key keeps only its holding claim, the
prefix tries are replaced by 4-byte-value ones, and the pins of tg_gen,
tg_encap1 and tg_police1 are removed, with those of the prefix hashes
(tg_pfx4, tg_pfx6, tg_pfx_lens), which came later still. tg_meta.layout
is left to the caller.

usage: to_layout1.py PIN
Prints what it rewrote: "tunnels N prefixes4 N prefixes6 N moved N".
"""
import json
import os
import struct
import subprocess
import sys

ID = 0x7FFFFFFF


def bpftool(*args):
    r = subprocess.run(["bpftool", "-j"] + [str(a) for a in args],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout) if r.stdout.strip() else None


def raw(v):
    return bytes(int(x, 16) for x in v)


def dump(path):
    return [(raw(e["key"]), raw(e["value"])) for e in bpftool("map", "dump", "pinned", path)]


def lookup(path, key):
    return raw(bpftool("map", "lookup", "pinned", path, "key", *key)["value"])


def update(path, key, value):
    bpftool("map", "update", "pinned", path, "key", *key, "value", *value)


def main():
    pin = sys.argv[1]
    gens = {}

    def slot_of(sid):
        if sid not in gens:
            gens[sid] = struct.unpack("<I", lookup(pin + "/tg_gen", struct.pack("<I", sid)))[0]
        return gens[sid]

    def holding(claims):
        for c in claims:
            if c & ID and slot_of(c & ID) == c >> 31:
                return c
        return 0

    tunnels = 0
    for k, v in dump(pin + "/tg_tunnels"):
        c = holding(struct.unpack("<I", v[i:i + 4])[0] for i in (0, 16))
        if not c:       # not in force: layout 1 would not have it
            bpftool("map", "delete", "pinned", pin + "/tg_tunnels", "key", *k)
            continue
        i = 0 if c == struct.unpack("<I", v[0:4])[0] else 16
        nv = struct.pack("<I", c & ID) + v[i + 4:i + 16] + bytes(16)
        update(pin + "/tg_tunnels", k, nv)
        tunnels += 1

    counts = {}
    for fam, klen in (("4", 8), ("6", 20)):
        path = pin + "/tg_prefix" + fam
        info = bpftool("map", "show", "pinned", path)
        entries = dump(path)
        tmp = path + "_layout1"
        bpftool("map", "create", tmp, "type", "lpm_trie", "key", klen,
                "value", 4, "entries", info["max_entries"],
                "name", "tg_prefix" + fam, "flags", info["flags"])
        n = 0
        for k, v in entries:
            c = holding(struct.unpack("<II", v[0:8]))
            if c:
                update(tmp, k, struct.pack("<I", c & ID))
                n += 1
        os.rename(tmp, path)
        counts[fam] = n

    moved = 0
    for sid, slot in gens.items():
        if slot != 1:
            continue
        key = struct.pack("<I", sid)
        update(pin + "/tg_encap", key, lookup(pin + "/tg_encap1", key))
        update(pin + "/tg_police", key, lookup(pin + "/tg_police1", key))
        moved += 1
    # tg_police as layout 1 (and 2) had it: 40 bytes, without the
    # subscriber's own prefixes.
    path = pin + "/tg_police"
    info = bpftool("map", "show", "pinned", path)
    entries = [(k, v) for k, v in dump(path) if any(v)]
    tmp = path + "_layout1"
    bpftool("map", "create", tmp, "type", "array", "key", 4, "value", 40,
            "entries", info["max_entries"], "name", "tg_police",
            "flags", info["flags"])
    for k, v in entries:
        update(tmp, k, v[:40])
    os.rename(tmp, path)
    for name in ("tg_gen", "tg_encap1", "tg_police1", "tg_pfx4", "tg_pfx6",
                 "tg_pfx_lens"):
        os.unlink(pin + "/" + name)
    print("tunnels %d prefixes4 %d prefixes6 %d moved %d" %
          (tunnels, counts["4"], counts["6"], moved))


if __name__ == "__main__":
    main()
