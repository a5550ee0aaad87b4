#!/usr/bin/env python3
"""merge_runs.py OUT IN... - merge the JSON results of one harness binary run
as several processes into one, as if it were one run.

Why: a kernel of a few nanoseconds takes up to half as long again in one
process as in the next, by where the addresses fall (the stack, the result
arrays: ASLR places them anew in each process), while within a process the
repetitions agree. So run_bench (bench/lib.sh) starts the binary
BENCH_PROCESSES times and this keeps, for every timing (an object with a
"median"), the median of the processes' medians, the smallest min and the
largest max; for every paired ratio (under "paired"), the median of the
processes' ratios; everything else (checks, sizes) from the first process.
"""
import json
import statistics
import sys


def merge(values, paired=False):
    first = values[0]
    if isinstance(first, dict):
        if "median" in first and all(isinstance(v, dict) and "median" in v for v in values):
            out = dict(first)
            out["median"] = statistics.median(v["median"] for v in values)
            if "min" in first:
                out["min"] = min(v["min"] for v in values)
            if "max" in first:
                out["max"] = max(v["max"] for v in values)
            out["processes"] = len(values)
            return out
        out = {}
        for k, v in first.items():
            same = [x[k] for x in values if isinstance(x, dict) and k in x]
            out[k] = merge(same, paired or k == "paired")
        return out
    if paired and isinstance(first, (int, float)) and not isinstance(first, bool):
        return statistics.median(values)
    return first


def main():
    out, ins = sys.argv[1], sys.argv[2:]
    runs = []
    for path in ins:
        with open(path) as f:
            runs.append(json.load(f))
    with open(out, "w") as f:
        json.dump(merge(runs), f)


if __name__ == "__main__":
    main()
