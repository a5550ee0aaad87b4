#!/usr/bin/env python3
"""scaling.py - is every pass of gradc linear in program size? (reported, not asserted)

Usage: python3 scripts/scaling.py GRADC [N]    (default N = 5000)

Generates program families at N and 4N statements (a chain, many inputs
listed in `wrt`, many outputs, one long sum), runs each action with
--stats, and prints each pass's time per statement at both sizes. A pass
whose time grows more than 2.5 times faster than the program (more than
10x for 4x the statements) is flagged "superlinear?": run it again on a
quiet machine and at larger sizes before believing it (the machine's
caches make every pass a little slower per statement on larger programs).
The standard (docs/architecture.md): every pass linear in program size,
none sweeping the whole graph once per output or per input.
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def chain(n):
    lines = ["input x, y", "a0 = x*y"]
    lines += [f"a{i} = a{i-1}*x + tanh(a{i-1})*y" for i in range(1, n)]
    return lines, {"x": 0.5, "y": 0.25}


def many_inputs(n):  # one statement per input, all of them in `wrt`
    names = [f"x{i}" for i in range(n)]
    lines = ["input " + ", ".join(names), "wrt " + ", ".join(names), "s0 = x0*x0"]
    lines += [f"s{i} = s{i-1} + sin(x{i})*x{i-1}" for i in range(1, n)]
    return lines, {k: 0.1 for k in names}


def many_outputs(n):
    lines = ["input x, y"] + [f"y{i} = sin(x + {i})*y" for i in range(n)]
    lines.append("output " + ", ".join(f"y{i}" for i in range(n)))
    return lines, {"x": 0.5, "y": 0.25}


def long_sum(n):  # one statement of n terms
    names = [f"x{i}" for i in range(n)]
    return ["input " + ", ".join(names), "y = " + " + ".join(f"{x}*{x}" for x in names)], \
        {x: 0.1 for x in names}


FAMILIES = {"chain": chain, "many_inputs": many_inputs, "many_outputs": many_outputs,
            "long_sum": long_sum}
ACTIONS = {
    "cpp": ["--kernels=f,grad,jvp,vjp,batch", "-o", "{dir}/k.cpp"],
    "eval": ["--eval=@{json}"],
    "print": ["--print"],
}


def run(gradc, program, points, tmp, action):
    args = [a.format(dir=tmp, json=points) for a in ACTIONS[action]]
    r = subprocess.run([gradc, program, "--stats", "--no-progress"] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1:]
    passes = {m.group(1): float(m.group(2)) / 1000
              for m in re.finditer(r"^  (\S+)\s+([\d.]+) ms$", r.stderr, re.M)}
    return passes, []


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    gradc = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    flagged = 0
    with tempfile.TemporaryDirectory() as tmp:
        for family, make in FAMILIES.items():
            for action in ACTIONS:
                times = []
                for size in (n, 4 * n):
                    lines, point = make(size)
                    program, points = f"{tmp}/{family}.expr", f"{tmp}/{family}.json"
                    with open(program, "w") as f:
                        f.write("\n".join(lines) + "\n")
                    with open(points, "w") as f:
                        json.dump(point, f)
                    passes, problem = run(gradc, program, points, tmp, action)
                    if passes is None:
                        print(f"{family:13} {action:6} N={size}: failed: {problem}")
                        break
                    times.append(passes)
                if len(times) < 2:
                    continue
                for name in times[1]:
                    small, large = times[0].get(name, 0.0), times[1][name]
                    note = ""
                    if large > 0.05 and large > 10 * max(small, 1e-3):
                        note = "  superlinear?"
                        flagged += 1
                    print(f"{family:13} {action:6} {name:14} {small * 1e6 / n:9.2f} us/stmt at N={n}, "
                          f"{large * 1e6 / (4 * n):9.2f} at N={4 * n}{note}")
    print(f"scaling: {flagged} pass(es) flagged")


if __name__ == "__main__":
    main()
