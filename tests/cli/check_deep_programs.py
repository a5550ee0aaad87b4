#!/usr/bin/env python3
"""check_deep_programs.py GRADC TMPDIR N - long programs of every shape run on a small stack.

Each shape is a chain of N statements, each reading the one before (or a
single statement of N terms, or an array of N elements): selects on
shared conditions, nested masks, common arms, signs and quotients, kinks,
constants that overflow, logic, products of sigmoid(y) and sigmoid(-y)
(whose sums look for the p - y rewrite). Each runs through --eval in
forward and reverse mode, --hessian, --print, -o .cpp and -o .ll (LLVM at
-O2) with a
512 KiB stack, so any recursion as deep as the program crashes it, and
within a time limit, so no pass is quadratic (ours or, through the shapes
we emit, LLVM's: a chain of selects sharing an arm took InstCombine 17 s
per 1,000 statements). Every run must succeed, and forward and reverse
mode must give the same derivatives where the outputs are finite.
"""
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time

gradc, tmp, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
STACK = 512 * 1024
TIME_LIMIT = 120  # seconds per run; a few at most on a 2-core machine
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)


def chain(first, step, output='s{n}', last=''):
    lines = ['input x, y, z', first]
    lines += [step.format(i=i, p=i - 1) for i in range(1, n + 1)]
    if last:
        lines.append(last.format(n=n))
    lines.append('output ' + output.format(n=n))
    return '\n'.join(lines) + '\n'


SHAPES = {
    'select_pair': chain('s0 = x\nt0 = y',
                         'c{i} = z > {i}\ns{i} = c{i} ? s{p} : x*{i}\nt{i} = c{i} ? t{p} : y*{i}',
                         'w', 'w = s{n} + t{n}'),
    'common_false': chain('s0 = x', 's{i} = z > -{i} ? s{p} : x*1e200*1e200', 'w', 'w = -log(s{n})'),
    'common_true': chain('s0 = x', 's{i} = z > {i} ? y : s{p}*x'),
    'either_arm': chain('s0 = x', 's{i} = x > {i} ? s{p} : (y > {i} ? s{p} : z)'),
    'other_arm': chain('s0 = x', 's{i} = (x > {i} || y > {i}) ? s{p} : (x > {i} ? z : s{p})'),
    'alternating_arms': '\n'.join(['input x, y, z', 's0 = x'] + [
        f's{i} = z > {i} ? s{i - 1} : y' if i % 2 else f's{i} = z > {i} ? y : s{i - 1}'
        for i in range(1, n + 1)] + [f'output s{n}']) + '\n',
    'nested_mask': chain('s0 = x', 's{i} = x > {i} ? s{p} : 0'),
    'neg_div': chain('s0 = x', 's{i} = -s{p}/(y + {i})'),
    'neg_inf': chain('s0 = x', 's{i} = (-s{p}) * (1e200*1e200) / (y + 2)'),
    'sub': chain('s0 = x', 's{i} = y - s{p}'),
    'relu': chain('s0 = x', 's{i} = relu(s{p}) - y'),
    'max_min': chain('s0 = x', 's{i} = min(max(s{p}, x), y + {i})'),
    'select_mul': chain('s0 = x', 's{i} = s{p} * (z > {i} ? x : y)'),
    'smooth': chain('s0 = x', 's{i} = log(s{p}*s{p} + 1) + sigmoid(y)'),
    'abs_sign': chain('s0 = x', 's{i} = abs(s{p}) * sign(y) + 0.001'),
    'leaky_atan2': chain('s0 = x', 's{i} = atan2(leaky_relu(s{p}, 0.1), y + 2)'),
    'logic': chain('c0 = x > 0', 'c{i} = c{p} && (y > {i}) || (z < -{i})', 'w',
                   'w = c{n} ? x*y : y*z'),
    'two_outputs': chain('s0 = x\nt0 = y', 's{i} = s{p}*t{p}*0.5 + x\nt{i} = t{p} - s{p}*0.5',
                         's{n}, t{n}'),
    'sigmoid_pairs': chain('s0 = x\nt0 = x', 's{i} = s{p}*sigmoid(y)\nt{i} = t{p}*sigmoid(-y)', 'w, v',
                           'w = t{n} + s{n}\nv = s{n} - t{n}'),
    'flat_sum': 'input x, y, z\nw = ' + ' + '.join(f'x*y^{i % 5}*{i}' for i in range(1, n + 1))
                + ' + z\noutput w\n',
    'array': f'input x[{n}], y, z\nw = sum(relu(x)*x*y) + logsumexp(x) + z\noutput w\n',
}

point = {'x': 0.5, 'y': 0.7, 'z': 3.0}
eval_args = 'x=0.5,y=0.7,z=3'
ACTIONS = {
    'forward': ['--mode=forward', '--eval', eval_args],
    'reverse': ['--mode=reverse', '--eval', eval_args],
    'hessian': ['--hessian', '--wrt=y,z', '--eval', eval_args],
    'print': ['--print'],
    'cpp': ['-o', os.path.join(tmp, 'k.cpp')],
    'llvm': ['-o', os.path.join(tmp, 'k.ll')],
}


def small_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (STACK, STACK))


failures = []
slowest = (0.0, '')
for name, text in SHAPES.items():
    path = os.path.join(tmp, name + '.expr')
    with open(path, 'w') as f:
        f.write(text)
    results = {}
    for action, args in ACTIONS.items():
        if name == 'array' and '--eval' in args:
            xs = ','.join(f'{math.sin(0.1 * i):.3f}' for i in range(n))
            args = [a if a != eval_args else f'x=[{xs}],y=0.7,z=3' for a in args]
            if action == 'forward':  # not a tangent sweep per element of x
                args = ['--wrt=y,z', *args]
        what = f'{name} {action}'
        start = time.monotonic()
        try:
            r = subprocess.run([gradc, path, *args], capture_output=True, text=True,
                               timeout=TIME_LIMIT, preexec_fn=small_stack)
        except subprocess.TimeoutExpired:
            failures.append(f'{what}: still running after {TIME_LIMIT} s')
            continue
        seconds = time.monotonic() - start
        slowest = max(slowest, (seconds, what))
        if r.returncode != 0:
            failures.append(f'{what}: exit status {r.returncode}: {r.stderr.strip()[:300]}')
            continue
        if '--eval' in args:
            results[action] = json.loads(r.stdout)
    fwd, rev = results.get('forward'), results.get('reverse')
    finite = fwd and all(not isinstance(v, str) for v in fwd['outputs'].values())
    if fwd and rev:
        if fwd['outputs'] != rev['outputs']:
            failures.append(f'{name}: the modes compute different outputs')
        # Where an output is inf or NaN its derivatives are not compared
        # (0*inf in one mode may be (0*1e200)*1e200 = 0 in the other).
        for out, row in fwd['derivatives'].items() if finite else ():
            for var, a in row.items():
                b = rev['derivatives'][out][var]  # scalars: the array's x is forward's wrt
                same = (a == b if isinstance(a, str) or isinstance(b, str)
                        else abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)))
                if not same:
                    failures.append(f'{name}: d{out}/d{var} is {a} forward, {b} reverse')

print(f'{len(SHAPES)} shapes x {len(ACTIONS)} runs, {n} statements each, '
      f'{STACK // 1024} KiB stack; slowest: {slowest[1]} {slowest[0]:.1f} s')
for f in failures:
    print('FAIL', f)
sys.exit(1 if failures else 0)
