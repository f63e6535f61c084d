#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The loader's folders depend one way only: a file may include headers of
its own folder and of the folders before it in LAYERS, never after. Run by
'make check'; prints each include that breaks the order and exits 1."""
import os
import re
import sys

LAYERS = ["util", "lns", "db", "radius", "dataplane", "sync", "routing", "wg", "daemon",
          "cmd", "."]
ROOT = "loader"


def main():
    rank = {name: i for i, name in enumerate(LAYERS)}
    bad = []
    for d, _, files in os.walk(ROOT):
        here = os.path.relpath(d, ROOT)
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(d, f)
            if here not in rank:
                bad.append(f"{path}: folder {here} is not in LAYERS")
                continue
            with open(path, encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    m = re.match(r'#include "([^/"]+)/[^"]+"', line)
                    if not m or not os.path.isdir(os.path.join(ROOT, m[1])):
                        continue
                    if rank.get(m[1], len(LAYERS)) > rank[here]:
                        bad.append(f"{path}:{n}: {here}/ includes {m[1]}/, "
                                   f"which comes after it")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
