#!/usr/bin/env python3
"""check_llvm_loading.py GRADC CXX TMPDIR - gradc loads LLVM only when needed.

The gradc command is not linked with libLLVM (readelf: no libLLVM in its
NEEDED entries). It opens libgradc_runtime.so.0 (which holds the LLVM
backend) on first use, so with GRADC_RUNTIME_LIBRARY pointing nowhere:
- everything that needs no LLVM works as before (C++ output, the header,
  --print, --explain, --eval at one point, --plot);
- everything that does (.ll, .bc, .o, --check, --eval of many points) fails
  with exit status 1, a message naming the library and why, and no file.
A library without the entry point, or whose entry point refuses the
command's build tag (another build of gradc), is refused the same way.
With the real library, the LLVM outputs and the JIT work.
"""
import os
import shutil
import subprocess
import sys

gradc, cxx, tmp = sys.argv[1:4]
shutil.rmtree(tmp, ignore_errors=True)  # nothing left from an earlier run
os.makedirs(tmp)
failures = []


def fail(message):
    failures.append(message)
    print('FAIL', message)


def run(args, library=None, stdin=None):
    env = dict(os.environ)
    env.pop('GRADC_RUNTIME_LIBRARY', None)
    if library is not None:
        env['GRADC_RUNTIME_LIBRARY'] = library
    return subprocess.run([gradc] + args, capture_output=True, text=True, env=env, input=stdin,
                          timeout=300)


program = os.path.join(tmp, 'model.expr')
with open(program, 'w') as f:
    f.write('a = x*y + z\nb = a*(x + x)\nw = a*b + sin(b)\n')
many = os.path.join(tmp, 'many.json')
with open(many, 'w') as f:
    f.write('[' + ','.join('{"x": %d, "y": 2, "z": 3}' % i for i in range(40)) + ']')

# 1. No libLLVM among the command's dynamic dependencies.
needed = subprocess.run(['readelf', '-d', gradc], capture_output=True, text=True, check=True).stdout
if 'libLLVM' in needed:
    fail('gradc is linked with libLLVM:\n' + needed)
if 'libgradc_runtime' in needed:
    fail('gradc is linked with libgradc_runtime (which loads libLLVM)')

# 2. Without the library: what needs no LLVM works.
nowhere = os.path.join(tmp, 'no-such-library.so')
no_llvm = [
    (['-o', os.path.join(tmp, 'k.cpp')], 'k.cpp'),
    (['-o', os.path.join(tmp, 'k.hpp')], 'k.hpp'),
    (['--print'], None),
    (['--print=latex'], None),
    (['--explain', '--eval=x=1,y=2,z=3'], None),
    (['--eval=x=1,y=2,z=3'], None),
    (['--eval=x=1,y=2,z=3', '--hessian'], None),
    (['--plot', 'x=-1:1', '--eval=y=2,z=3', '-o', os.path.join(tmp, 'k.svg')], 'k.svg'),
]
for args, made in no_llvm:
    r = run([program] + args, nowhere)
    if r.returncode != 0:
        fail(f'{args} without the runtime library: exit {r.returncode}: {r.stderr}')
    if made and not os.path.exists(os.path.join(tmp, made)):
        fail(f'{args} without the runtime library wrote no {made}')

# 3. Without the library: what needs LLVM fails cleanly, leaving no file.
needs_llvm = [['-o', os.path.join(tmp, 'k.ll')], ['-o', os.path.join(tmp, 'k.bc')],
              ['-o', os.path.join(tmp, 'k.o')], ['--check'], ['--eval=@' + many],
              ['--eval=x=1,y=2,z=3', '-O2']]
for args in needs_llvm:
    r = run([program] + args, nowhere)
    if r.returncode != 1:
        fail(f'{args} without the runtime library: exit {r.returncode}, expected 1: {r.stderr}')
    elif "gradc: error: LLVM output" not in r.stderr or 'no-such-library.so' not in r.stderr:
        fail(f'{args} without the runtime library: the message does not say why: {r.stderr}')
    # --eval and --check run without it with --interp, which the message says.
    elif ('--interp' in r.stderr) != (args[0] in ('--check',) or args[0].startswith('--eval')):
        fail(f'{args} without the runtime library: --interp should be named only for '
             f'--eval and --check: {r.stderr}')
    for name in ('k.ll', 'k.bc', 'k.o'):
        if os.path.exists(os.path.join(tmp, name)):
            fail(f'{args} without the runtime library left {name}')

# 4. Libraries that are not gradc's backend: no entry point (libm), or an
#    entry point that refuses the tag (another build).
other = os.path.join(tmp, 'other_build.so')
with open(os.path.join(tmp, 'other_build.cpp'), 'w') as f:
    f.write('extern "C" const void* gradc_llvm_backend_v1(const char*) { return nullptr; }\n')
subprocess.run([cxx, '-shared', '-fPIC', '-o', other, os.path.join(tmp, 'other_build.cpp')],
               check=True)
for library, says in (('libm.so.6', 'from another build'), (other, 'from another build')):
    r = run([program, '-o', os.path.join(tmp, 'k.ll')], library)
    if r.returncode != 1 or says not in r.stderr:
        fail(f'{library} as the runtime library: exit {r.returncode}: {r.stderr}')
    if os.path.exists(os.path.join(tmp, 'k.ll')):
        fail(f'{library} as the runtime library left k.ll')

# 5. With the real library (found beside gradc): LLVM outputs and the JIT.
for args, made in ((['-o', os.path.join(tmp, 'k.ll')], 'k.ll'),
                   (['-o', os.path.join(tmp, 'k.o')], 'k.o'), (['--check'], None),
                   (['--eval=@' + many], None)):
    r = run([program] + args)
    if r.returncode != 0:
        fail(f'{args}: exit {r.returncode}: {r.stderr}')
    if made and not os.path.exists(os.path.join(tmp, made)):
        fail(f'{args} wrote no {made}')

if failures:
    print(f'check_llvm_loading: {len(failures)} failures')
    sys.exit(1)
print('check_llvm_loading: gradc has no libLLVM dependency; 8 commands work without the '
      'runtime library, 6 that need LLVM and 2 wrong libraries fail cleanly; 4 work with it')
