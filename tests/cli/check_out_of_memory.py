#!/usr/bin/env python3
"""check_out_of_memory.py GRADC TMPDIR - running out of memory is an error, never a crash.

Every action runs under a ladder of address-space limits (RLIMIT_AS, as
`ulimit -v` sets): from where gradc can just start to where the action
succeeds, with a dozen limits in between, so that allocations fail in
every phase: parsing, differentiation, building LLVM IR, optimizing,
machine code, the JIT. Each run must end with exit status 0 (and its
complete output files) or 1 with an error message (and no file at all):
never a signal (LLVM is not exception-safe: a std::bad_alloc unwinding
through a half-built module crashed in its destructor) and never
"LLVM ERROR" (LLVM's own allocation failures abort).
Not for sanitized builds: their shadow memory needs terabytes of address space.
"""
import json
import os
import resource
import shutil
import subprocess
import sys

gradc, tmp = sys.argv[1:3]
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
program = os.path.join(tmp, 'm.expr')
with open(program, 'w') as f:
    f.write('input A[24,24]\nw = sum(A @ A)\n')
points = os.path.join(tmp, 'points.json')
with open(points, 'w') as f:  # more than 16 points: the JIT's batch kernel
    json.dump([{'A': [[0.01 * (i + j + p) for j in range(24)] for i in range(24)]}
               for p in range(20)], f)
failures = []


def run(args, limit):
    def set_limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = os.path.join(tmp, 'out')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    r = subprocess.run([gradc, program, *args], cwd=out, preexec_fn=set_limit,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    return r, sorted(os.listdir(out))


def check(args, files, limit, r, left):
    what = f"gradc {' '.join(args)} with {limit >> 20} MiB"
    if r.returncode not in (0, 1):
        failures.append(f"{what}: exit status {r.returncode}\n{r.stderr[-500:]}")
    elif 'LLVM ERROR' in r.stderr:
        failures.append(f"{what}: LLVM aborted\n{r.stderr[-500:]}")
    elif r.returncode == 1 and 'error:' not in r.stderr:
        failures.append(f"{what}: exit status 1 without an error message")
    elif r.returncode == 1 and left:
        failures.append(f"{what}: failed and left {left}")
    elif r.returncode == 0 and left != files:
        failures.append(f"{what}: succeeded with files {left}, expected {files}")


actions = [(['-o', 'k.ll'], ['k.hpp', 'k.ll']), (['-o', 'k.bc'], ['k.bc', 'k.hpp']),
           (['-o', 'k.o'], ['k.hpp', 'k.o']), (['-o', 'k.cpp'], ['k.cpp', 'k.hpp']),
           (['-O2', f'--eval=@{points}'], []), (['--check', '-O1'], [])]
runs = 0
for args, files in actions:
    # The smallest limit that succeeds, in steps of 1/8.
    limit = 32 << 20
    while True:
        r, left = run(args, limit)
        runs += 1
        check(args, files, limit, r, left)
        if r.returncode == 0 or limit > (16 << 30):
            break
        limit += limit // 8
    # A dozen limits in the last step and the one before, where the action
    # gets furthest before memory runs out.
    top = limit
    for i in range(12):
        limit = top * 7 // 9 + (top * 2 // 9) * i // 12
        r, left = run(args, limit)
        runs += 1
        check(args, files, limit, r, left)

for f in failures:
    print('FAIL:', f)
print(f"{runs} runs under address-space limits, {len(failures)} failures")
sys.exit(1 if failures else 0)
