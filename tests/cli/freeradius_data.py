#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""FreeRADIUS test data for tests/cli/test_freeradius.sh, and the check of
what tungate made of it.

  freeradius_data.py gen N DATA.sql EXPECT.json
      N members in rlm_sql's tables (INSERTs that SQLite and PostgreSQL
      both take), a few users that cannot be members, and what the import
      must give: classes, members with class and prefixes, counts.
  freeradius_data.py check TUNGATE.db EXPECT.json [CLASS=RENAMED...]
      exit 1, naming the differences, unless the database holds exactly
      the expected members and classes (CLASS=RENAMED: the database gives
      that rate the class RENAMED, one it had before).
"""
import ipaddress
import json
import sqlite3
import sys

NOTE = "imported from FreeRADIUS"

# Groups: (name, reply rows, class made of them, down, up bits/s).
GROUPS = [
    ("gold", [("Mikrotik-Rate-Limit", "=", "5M/20M"),
              ("Session-Timeout", "=", "86400")], "gold", 20000000, 5000000),
    # Same rates as gold: the import reuses gold, the smaller name.
    ("premium", [("Mikrotik-Rate-Limit", "=", "5M/20M")], "gold",
     20000000, 5000000),
    # Bursts: only the rates are mapped.
    ("silver", [("Mikrotik-Rate-Limit", "=", "2M/8M 4M/16M 1M/4M 10/10")],
     "silver", 8000000, 2000000),
    ("bronze", [("WISPr-Bandwidth-Max-Up", "=", "1000000"),
                ("WISPr-Bandwidth-Max-Down", "=", "4000000")],
     "bronze", 4000000, 1000000),
    # No rate: its members take tungate's default.
    ("plain", [("Idle-Timeout", "=", "600")], None, 0, 0),
]


def q(s):
    return "'" + s.replace("'", "''") + "'"


def gen(n, data, expect):
    rows = []
    members = {}

    def add(table, user, attr, op, value):
        rows.append("INSERT INTO %s (username, attribute, op, value) "
                    "VALUES (%s, %s, %s, %s);" % (table, q(user), q(attr),
                                                  q(op), q(value)))

    for g, reply, _, _, _ in GROUPS:
        for attr, op, value in reply:
            rows.append("INSERT INTO radgroupreply (groupname, attribute, op,"
                        " value) VALUES (%s, %s, %s, %s);" %
                        (q(g), q(attr), q(op), q(value)))
    for i in range(n):
        user = "m%04d@exo.cat" % i if i % 2 else "m%04d" % i
        name = user.replace("@", "_")
        ip = "100.64.%d.%d" % (i // 250, i % 250 + 1)
        add("radcheck", user, "Cleartext-Password", ":=", "pw-%d" % i)
        add("radreply", user, "Framed-IP-Address", "=", ip)
        add("radreply", user, "Service-Type", "=", "Framed-User")
        prefixes = [ip + "/32"]
        if i % 10 == 3:
            route = "10.%d.%d.0/24" % (i // 256, i % 256)
            add("radreply", user, "Framed-Route", "+=", route + " 0.0.0.0 1")
            prefixes.append(route)
        if i % 7 == 0:
            add("radreply", user, "Framed-IPv6-Prefix", "=",
                "2001:db8:ffff:%x::/64" % i)
            add("radreply", user, "Delegated-IPv6-Prefix", "=",
                "2001:db8:%x::/48" % i)
            prefixes += ["2001:db8:ffff:%x::/64" % i, "2001:db8:%x::/48" % i]
        cls = None
        if i % 9 == 4:
            # A rate of its own, over whatever group it has.
            add("radreply", user, "Mikrotik-Rate-Limit", "=", "10M/50M")
            cls = "r-10M-50M"
        g = GROUPS[i % len(GROUPS)]
        if i % 11 != 5:
            rows.append("INSERT INTO radusergroup (username, groupname, "
                        "priority) VALUES (%s, %s, 1);" % (q(user), q(g[0])))
            cls = cls or g[2]
        enabled = True
        if i % 100 == 42:
            add("radcheck", user, "Auth-Type", ":=", "Reject")
            enabled = False
        members[name] = {"user": user, "password": "pw-%d" % i,
                         "class": cls, "enabled": enabled,
                         "prefixes": sorted(str(ipaddress.ip_network(p))
                                            for p in prefixes)}
    # Users that cannot be members.
    for i in range(5):
        add("radcheck", "crypt%d" % i, "Crypt-Password", ":=", "$1$x$y")
        add("radreply", "crypt%d" % i, "Framed-IP-Address", "=",
            "100.127.0.%d" % (i + 1))
    for i in range(3):
        add("radcheck", "pool%d" % i, "Cleartext-Password", ":=", "p")
        add("radreply", "pool%d" % i, "Framed-IP-Address", "=",
            "255.255.255.254")
    classes = {}
    for _, _, c, down, up in GROUPS:
        if c and any(m["class"] == c for m in members.values()):
            classes[c] = [down, up]
    if any(m["class"] == "r-10M-50M" for m in members.values()):
        classes["r-10M-50M"] = [50000000, 10000000]
    with open(data, "w") as f:
        f.write("BEGIN;\n" + "\n".join(rows) + "\nCOMMIT;\n")
    with open(expect, "w") as f:
        json.dump({"members": members, "classes": classes,
                   "not_imported": 8}, f, indent=1, sort_keys=True)


def check(dbpath, expect, renames):
    exp = json.load(open(expect))
    ren = dict(r.split("=", 1) for r in renames)
    db = sqlite3.connect(dbpath)
    errs = []
    got = {}
    for name, user, pw, cls, en in db.execute(
            "SELECT name, ppp_user, ppp_password, class, enabled "
            "FROM subscriber WHERE note = ?", (NOTE,)):
        pf = sorted(p for (p,) in db.execute(
            "SELECT prefix FROM prefix JOIN subscriber s ON s.id = "
            "subscriber_id WHERE s.name = ?", (name,)))
        got[name] = {"user": user, "password": pw, "class": cls,
                     "enabled": bool(en), "prefixes": pf}
    want = exp["members"]
    for m in want.values():
        m["class"] = ren.get(m["class"], m["class"])
    for name in sorted(set(want) | set(got)):
        if want.get(name) != got.get(name):
            errs.append("member %s: want %s, got %s" %
                        (name, want.get(name), got.get(name)))
    cls = {n: [d or 0, u or 0] for n, d, u in db.execute(
        "SELECT name, down_rate, up_rate FROM class")}
    for c, rates in exp["classes"].items():
        c = ren.get(c, c)
        if cls.get(c) != rates:
            errs.append("class %s: want %s, got %s" % (c, rates, cls.get(c)))
    used = {m["class"] for m in want.values()} - {None}
    extra = set(cls) - used - set(ren.values()) - {"keep"}
    if extra:
        errs.append("classes nobody uses: %s" % sorted(extra))
    for e in errs[:10]:
        print(e)
    if len(errs) > 10:
        print("... %d differences" % len(errs))
    print("%d members, %d classes checked" % (len(got), len(cls)))
    return 1 if errs else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4:]))
