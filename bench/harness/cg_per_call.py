#!/usr/bin/env python3
"""cg_per_call.py CACHEGRIND_OUT CALLS REGEX - sum cachegrind's counts over the
functions whose names match REGEX and divide by CALLS (for profile_main.cpp):
instructions (Ir), L1 instruction-cache misses (I1mr), data reads/writes and
their L1 misses, per kernel call."""
import re
import sys
from collections import defaultdict

path, calls, pat = sys.argv[1], float(sys.argv[2]), re.compile(sys.argv[3])
events, totals, fn = [], defaultdict(float), None
for line in open(path):
    if line.startswith("events:"):
        events = line.split()[1:]
    elif line.startswith("fn="):
        fn = line[3:].strip()
    elif fn and line[:1].isdigit() and pat.search(fn):
        nums = line.split()[1:]
        for e, v in zip(events, nums):
            totals[e] += float(v)
print(" ".join(f"{e}={totals[e] / calls:.1f}" for e in events if e in totals))
