#!/usr/bin/env python3
"""fuzz_cli.py GRADC EXAMPLES_DIR [ITERATIONS] [SEED] - seeded mutation fuzzing of the CLI.

Mutates the example programs (inserting tokens, bytes, NULs, UTF-8, huge
numbers; deleting runs) and runs gradc with --print, --check, -o and --plot
on each.
Fails if any run crashes, hangs, exits with a status other than 0 or 1, trips
a sanitizer, or leaves a partial output file after an error (SPEC 2).
"""
import glob
import os
import random
import re
import subprocess
import sys
import tempfile

TOKENS = [b'[', b']', b'(', b')', b',', b'@', b'?', b':', b'^', b'**', b'-', b'[[', b'0',
          b'1e309', b'\n', b';', b'input ', b'output ', b'wrt ', b'sum(', b'softmax(',
          b'transpose(', b'W[2,3]', b'x', b'=', b'\x00', b'\xc3\xa9', b'99999999', b'-1', b'2.5']


def mutate(rng, text):
    s = bytearray(text)
    for _ in range(rng.randint(1, 6)):
        pos = rng.randint(0, len(s))
        r = rng.random()
        if r < 0.4:
            s[pos:pos] = rng.choice(TOKENS)
        elif r < 0.7 and len(s) > 1:
            del s[pos:pos + rng.randint(1, 5)]
        else:
            s[pos:pos] = bytes([rng.randint(0, 255)])
    return bytes(s)


def plot_args(program, svg):
    """--plot along the first declared input, the other scalar inputs at 0.5
    (so that a mutant of a scalar program is drawn, not only refused)."""
    m = re.search(rb'^input ([A-Za-z_0-9, ]*)(#.*)?$', program, re.M)
    names = [n.strip().decode() for n in m.group(1).split(b',')] if m else []
    names = [n for n in names if re.fullmatch(r'[A-Za-z_][A-Za-z_0-9]*', n)]
    if not names:
        return ['--plot', 'x=-2:2', '-o', svg]
    others = ','.join(f'{n}=0.5' for n in names[1:])
    return ['--plot', f'{names[0]}=-2:2', '-o', svg] + ([f'--eval={others}'] if others else [])


def main():
    gradc, examples = sys.argv[1], sys.argv[2]
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    seeds = [open(f, 'rb').read() for f in sorted(glob.glob(os.path.join(examples, '*.expr')))]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, 'fuzz.expr'), os.path.join(tmp, 'fuzz.cpp')
        svg = os.path.join(tmp, 'fuzz.svg')
        for i in range(iterations):
            program = mutate(rng, rng.choice(seeds))
            with open(src, 'wb') as f:
                f.write(program)
            runs = (['--print'], ['--check', '--check-points=1'], ['-o', out], plot_args(program, svg))
            for args in runs:
                for path in (out, out[:-4] + '.hpp', svg):
                    if os.path.exists(path):
                        os.remove(path)
                try:
                    r = subprocess.run([gradc, src] + args, capture_output=True, timeout=30)
                except subprocess.TimeoutExpired:
                    print(f'iteration {i} {args}: timed out\n{program!r}')
                    failures += 1
                    continue
                problem = None
                if r.returncode not in (0, 1):
                    problem = f'exit status {r.returncode}'
                elif b'Sanitizer' in r.stderr or b'runtime error' in r.stderr:
                    problem = 'sanitizer report'
                elif '-o' in args and r.returncode == 1 and os.path.exists(args[args.index('-o') + 1]):
                    problem = 'output file left behind after an error'
                if problem:
                    print(f'iteration {i} {args}: {problem}\n{program!r}\n{r.stderr[-500:]!r}')
                    failures += 1
    print(f'{iterations * 4 - failures} passed, {failures} failed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
