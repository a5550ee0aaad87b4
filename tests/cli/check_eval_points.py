#!/usr/bin/env python3
"""check_eval_points.py GRADC EXAMPLES TMPDIR [COUNTS] - --eval=@points.json over many points.

Beyond 16 points, --eval JIT-compiles the kernels and calls NAME_grad_batch
once for all of them (several points per instruction; SPEC 4). For every
example with an `input` line and for programs made to be awkward in lanes
(a select whose other branch is NaN, kinks, points on both sides of them),
the values and derivatives of 17 and 103 random points (neither a multiple
of the vector width) must equal the reference interpreter's (--interp) at
the same points: exactly at -O0, within 1e-13 relative at -O2 (where the
batch loop uses glibc's vector math, documented to 4 ulp). With --hessian
the points go through NAME_hess_batch and must match too. COUNTS (default
"17,103") lists the point counts; a sanitized build runs only 103, since each
gradc process under ASan starts three times slower.
"""
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys

gradc, examples, tmp = sys.argv[1:4]
counts = [int(c) for c in (sys.argv[4] if len(sys.argv) > 4 else '17,103').split(',')]
shutil.rmtree(tmp, ignore_errors=True)  # nothing left from an earlier run
os.makedirs(tmp)
failures = []
rng = random.Random(7)

AWKWARD = {
    # The branch not taken is NaN in some lanes and not in others.
    'nan_branch': 'input x, y\nw = x > 0 ? log(x)*y : sqrt(-x) + y\n',
    # Kinks at 0, and values on both sides in one vector.
    'kinks': 'input x, y\nw = relu(x)*abs(y) + max(x, y)*min(x, 2*y)\nv = x*y\n',
    # Transcendentals that libmvec implements.
    'math': 'input x, y\nw = exp(x)*sin(y) + cos(x*y) + tanh(x) + atan(y) + pow(abs(x) + 1, y)\n',
}


def inputs_of(text):
    """{name: shape} from the program's `input` statements."""
    found = {}
    for line in text.splitlines():
        m = re.match(r'\s*input\s+(.*)', line.split('#')[0])
        if not m:
            continue
        for name, dims in re.findall(r'([A-Za-z_]\w*)\s*(?:\[([\d,\s]*)\])?', m.group(1)):
            found[name] = [int(d) for d in dims.split(',')] if dims else []
    return found


def value(shape):
    if not shape:
        return rng.choice([0.0, rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)])
    return [value(shape[1:]) for _ in range(shape[0])]


def run(args):
    r = subprocess.run([gradc] + args, capture_output=True, text=True, timeout=600)
    return r


def flatten(v, out):
    if isinstance(v, dict):
        for k in sorted(v):
            flatten(v[k], out)
    elif isinstance(v, list):
        for e in v:
            flatten(e, out)
    else:
        out.append(v)
    return out


def close(a, b, rel):
    if a is None or b is None:  # null: not finite
        return a is None and b is None
    return a == b or abs(a - b) <= rel * max(1.0, abs(b))


programs = []
for path in sorted(glob.glob(os.path.join(examples, '*.expr'))):
    text = open(path).read()
    if inputs_of(text):
        programs.append((os.path.basename(path), path, text))
for name, text in AWKWARD.items():
    path = os.path.join(tmp, name + '.expr')
    with open(path, 'w') as f:
        f.write(text)
    programs.append((name, path, text))

compared = 0
for name, path, text in programs:
    shapes = inputs_of(text)
    for count in counts:
        points = [{n: value(s) for n, s in shapes.items()} for _ in range(count)]
        pfile = os.path.join(tmp, f'{name}-{count}.json')
        with open(pfile, 'w') as f:
            json.dump(points, f)
        ref = run([path, '--eval=@' + pfile, '--interp'])
        if ref.returncode != 0:
            fail = f'{name}: --interp failed: {ref.stderr}'
            failures.append(fail)
            continue
        expected = json.loads(ref.stdout)
        for extra, rel in (([], 0.0), (['-O2'], 1e-13), (['--hessian'], 0.0)):
            r = run([path, '--eval=@' + pfile] + extra)
            if r.returncode != 0:
                failures.append(f'{name} {count} points {extra}: exit {r.returncode}: {r.stderr}')
                continue
            got = json.loads(r.stdout)
            want = expected
            if extra == ['--hessian']:
                want = json.loads(run([path, '--eval=@' + pfile, '--interp', '--hessian']).stdout)
            if len(got) != count:
                failures.append(f'{name} {count} points {extra}: {len(got)} results')
                continue
            for i, (g, w) in enumerate(zip(got, want)):
                gv, wv = flatten(g, []), flatten(w, [])
                bad = len(gv) != len(wv) or not all(close(a, b, rel) for a, b in zip(gv, wv))
                if bad:
                    failures.append(f'{name} {count} points {extra}: point {i} {points[i]}:\n'
                                    f'  got  {g}\n  want {w}')
                    break
            compared += 1

for f in failures:
    print('FAIL', f)
if failures:
    sys.exit(1)
print(f'check_eval_points: {len(programs)} programs, {compared} runs of {" and ".join(map(str, counts))} points '
      f'(-O0, -O2, --hessian) equal the interpreter point by point')
