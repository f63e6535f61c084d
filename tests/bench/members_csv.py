#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print an import CSV of N dial-in members NAME1..NAMEN: user
NAMEi@exo.cat, password 'secret', one /32 each from 100.80.0.1 up.

    members_csv.py N [NAME]     (NAME: m)
"""
import sys

n = int(sys.argv[1])
name = sys.argv[2] if len(sys.argv) > 2 else "m"
print("name,type,user,password,prefixes")
for i in range(1, n + 1):
    print("%s%d,l2tpv2,%s%d@exo.cat,secret,100.%d.%d.%d/32" %
          (name, i, name, i, 80 + i // 65536, i // 256 % 256, i % 256))
