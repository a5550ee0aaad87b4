#!/usr/bin/env python3
"""gen_modes.py - the programs of the modes section (sections/87-modes.sh).

  gen_modes.py pendulum N   N explicit Euler steps of a pendulum,
                            th_i = th_{i-1} + h*w_{i-1}, w_i = w_{i-1} - h*c*sin(th_i),
                            inputs c, th0, w0, every angle th1..thN an output,
                            wrt c: one wrt scalar and N outputs, so forward mode
                            (one tangent sweep) is the cheap one and reverse mode
                            (one adjoint sweep per output) costs O(N^2).
  gen_modes.py wide N       N outputs of 2 inputs, y_i = sin(a*(i+1)) + b*(i%7+1):
                            forward and reverse mode cost the same here (every
                            output depends on both inputs), so the figures show
                            what a program with many outputs costs each mode.
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
if kind == "pendulum":
    print(f"# Pendulum rollout, N = {n} Euler steps (bench/workloads/modes/gen_modes.py)")
    print("input c, th0, w0")
    print("h = 0.01")
    for i in range(1, n + 1):
        print(f"th{i} = th{i - 1} + h*w{i - 1}; w{i} = w{i - 1} - h*(c*sin(th{i}))")
    print("output " + ", ".join(f"th{i}" for i in range(1, n + 1)))
    print("wrt c")
elif kind == "wide":
    print(f"# {n} outputs of 2 inputs (bench/workloads/modes/gen_modes.py)")
    print("input a, b")
    for i in range(n):
        print(f"y{i} = sin(a*{i + 1}) + b*{i % 7 + 1}")
    print("output " + ", ".join(f"y{i}" for i in range(n)))
else:
    sys.exit(f"gen_modes.py: unknown program kind {kind!r}")
