#!/usr/bin/env python3
"""check_names.py GRADC SOURCE_DIR GXX CLANGXX TMPDIR - every name the C and
C++ implementation owns, as program variables and as kernel names, compiled
by g++ and clang++ at -std=c++17 and -std=gnu++17 (-Wall -Wextra -pedantic
-Werror).

(a) One program whose variables (scalar and array inputs, intermediates,
    outputs, wrt) are all such names that gradc accepts: C and C++ keywords,
    every macro of the C library headers (taken afresh from both compilers,
    the reserved __ and _X ones too), every name of the C library list
    (compiler/emit/cpp_reserved_lists.inc), the kernels' own names, and
    names that renamings could collide with. Its kernels f, grad, jvp, vjp
    and hess are long enough to be split into parts (--reroll-min=0), and
    have loops with running values at the default. One compile per
    compiler and standard.
(b) Kernel names: a sample of every kind of problem is refused with exit 2
    and a suggestion, for every output format; names close to them compile
    and link together with <cmath>, <cstdlib>, <cstring> and <cstdio>, as
    C++ and as LLVM objects, and compute the right numbers. (Every listed
    name is refused in-process by unit.cpp_names: a gradc run per name of
    ~3,500 would take minutes.) The lists must cover the macros the
    compilers define now, or they need regenerating.
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

gradc, source_dir, gxx, clangxx, tmp = sys.argv[1:6]
sys.path.insert(0, os.path.join(source_dir, "scripts"))
import gen_cpp_reserved as gen  # noqa: E402  (the list generator: its macro collection)

gen.CLANGXX = clangxx
gen.COMPILERS = [gxx, clangxx]
CONFIGS = [(cxx, std) for cxx in (gxx, clangxx) for std in ("c++17", "gnu++17")]
FLAGS = ["-Wall", "-Wextra", "-pedantic", "-Werror"]
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2)
failures = []

# C++ keywords and alternative tokens, C keywords (C89 to C23), GNU and TS
# extensions, identifiers with a special meaning.
KEYWORDS = """alignas alignof and and_eq asm auto bitand bitor bool break case catch char
char8_t char16_t char32_t class compl concept const consteval constexpr constinit const_cast
continue co_await co_return co_yield decltype default delete do double dynamic_cast else enum
explicit export extern false float for friend goto if inline int long mutable namespace new
noexcept not not_eq nullptr operator or or_eq private protected public register
reinterpret_cast requires return short signed sizeof static static_assert static_cast struct
switch template this thread_local throw true try typedef typeid typename union unsigned using
virtual void volatile wchar_t while xor xor_eq restrict typeof typeof_unqual _Alignas _Alignof
_Atomic _BitInt _Bool _Complex _Decimal128 _Decimal32 _Decimal64 _Generic _Imaginary _Noreturn
_Static_assert _Thread_local _Pragma __attribute__ __restrict __null __int128 __typeof__
__complex__ __real__ __imag__ __extension__ __asm__ __volatile__ __has_include __VA_ARGS__
__VA_OPT__ synchronized atomic_cancel atomic_commit atomic_noexcept reflexpr transaction_safe
transaction_safe_dynamic final override import module main errno std""".split()
# What the kernels declare themselves, and names renamings may produce.
OWN = """in out jac v u jv uj hess hv jac_nz s gradc_sigmoid gradc_softplus gradc_gelu gradc_sign
gradc_relu gradc_leaky_relu in_ in_2 s_ s_2 v_ int_ int_2 M_PI_ M_PI_3 X_ X_2 cplusplus_ Complex_
x x_ x__ _ __ ___ _x _1 __1 gradc_x""".split()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, **kw)


def fail(what, detail=""):
    failures.append(what)
    print(f"FAIL: {what}\n{detail[-3000:]}", flush=True)


def listed(array):
    """The names of one array of the checked-in lists."""
    with open(os.path.join(source_dir, "compiler/emit/cpp_reserved_lists.inc")) as f:
        text = f.read()
    body = re.search(array + r"\[\] = \{(.*?)\};", text, re.S).group(1)
    return re.findall(r'"(\w+)"', body)


def fresh_macros():
    """{name: function-like?} of every macro of the caller headers, now."""
    jobs = [POOL.submit(gen.macros, cxx, std, gen.CALLER_HEADERS) for cxx, std in CONFIGS]
    found = {}
    for j in jobs:
        for n, function_like in j.result().items():
            found[n] = found.get(n, True) and function_like
    return found


def accepted_by_gradc(names):
    """`names` without those gradc refuses to declare (its keywords and built-ins)."""
    names = list(names)
    for _ in range(20):  # gradc reports up to 20 errors a run
        with open(os.path.join(tmp, "probe.expr"), "w") as f:
            f.write("input " + ", ".join(names) + "\nw = 1\n")
        err = run([gradc, "probe.expr", "--print"]).stderr
        refused = set(re.findall(r"'(\w+)' is a (?:built-in|keyword)", err))
        if not refused:
            if "error" in err:
                fail("the probe program of all names has errors", err)
            return names
        names = [n for n in names if n not in refused]
    fail("gradc kept refusing names")
    return names


def big_program(names):
    """A program using every name once: arrays, a chain of intermediates
    through every scalar input, an array output and a scalar output."""
    pick = lambda want: want if want in names else None
    arr3, arr22, arr_mid, arr_out, out = (pick("NAN") or names[0], pick("unix") or names[1],
                                          pick("INFINITY") or names[2],
                                          pick("HUGE_VAL") or names[3],
                                          pick("__cplusplus") or names[4])
    special = [n for n in ("in", "s", "typeof", "M_PI") if n in names]
    rest = [n for n in names if n not in (arr3, arr22, arr_mid, arr_out, out, *special)]
    inputs = special + rest[0::2]
    steps = rest[1::2]
    lines = [f"input {arr3}[3], {arr22}[2, 2], " + ", ".join(inputs),
             f"wrt {inputs[0]}, {inputs[2]}, {arr3}",
             f"{arr_mid} = {arr3} * {inputs[0]} + {arr22}[0, 1]"]
    prev = f"sum({arr_mid})"
    for i, name in enumerate(steps):
        x = inputs[i % len(inputs)]
        lines.append(f"{name} = {prev} * {x} + sin({prev})" if i % 2 else
                     f"{name} = {prev} / (1 + {x} * {x}) + {x}")
        prev = name
    lines += [f"{out} = {prev} * {inputs[1]}", f"{arr_out} = {arr_mid} * {out}",
              f"output {out}, {arr_out}"]
    return "\n".join(lines) + "\n"


def compile_configs(what, cmd_for):
    """Run cmd_for(cxx, std) for every compiler and standard, two at a time."""
    jobs = {POOL.submit(run, cmd_for(cxx, std)): (cxx, std) for cxx, std in CONFIGS}
    for job, (cxx, std) in jobs.items():
        r = job.result()
        if r.returncode != 0:
            fail(f"{what}: {os.path.basename(cxx)} -std={std}", r.stdout + r.stderr)


def check_variables(names):
    program = big_program(names)
    with open(os.path.join(tmp, "all_names.expr"), "w") as f:
        f.write(program)
    # Straight-line (split into parts), and with loops where statements
    # repeat (their counters and running values need names too).
    r = run([gradc, "all_names.expr", "--reroll-min=0", "--kernels=f,grad,jvp,vjp,hess",
             "-o", "all_names.cpp"])
    if r.returncode != 0:
        return fail("gradc on the program of all names", r.stderr)
    shutil.copy(os.path.join(tmp, "all_names.expr"), os.path.join(tmp, "all_loops.expr"))
    r = run([gradc, "all_loops.expr", "--kernels=f,grad,jvp,vjp,hess", "-o", "all_loops.cpp"])
    if r.returncode != 0:
        return fail("gradc on the program of all names, with loops", r.stderr)
    source = open(os.path.join(tmp, "all_names.cpp")).read()
    looped = open(os.path.join(tmp, "all_loops.cpp")).read()
    for fn in ("all_names", "all_names_grad", "all_names_jvp", "all_names_vjp", "all_names_hess"):
        if f"static void {fn}_part2(" not in source:
            fail(f"{fn} is not split into parts")
    if looped.count("  for (int ") < 10 or "double carry" not in looped:
        fail("the program of all names has fewer than 10 loops, or none with a running value")
    print(f"(a) {len(names)} names as variables; {len(program.splitlines())} lines of gradc, "
          f"{len(source.splitlines())} lines of C++, "
          f"{source.count('static void all_names_grad_part')} parts in all_names_grad; "
          f"{looped.count('  for (int ')} loops with --reroll-min at its default", flush=True)
    # Every caller header first, as a unity build (CMake's UNITY_BUILD) puts
    # the caller's includes before the kernels' source: errno, assert, EOF
    # and the rest are macros there.
    callers = [arg for h in gen.CALLER_HEADERS for arg in ("-include", h)]
    for stem in ("all_names", "all_loops"):
        compile_configs(f"the program of all names ({stem}.cpp)", lambda cxx, std: [
            cxx, f"-std={std}", *FLAGS, "-fsyntax-only", *callers, "-include", f"{stem}.hpp",
            f"{stem}.cpp"])
    for ext in ("ll", "o"):  # the LLVM backend takes the same names as value names
        r = run([gradc, "all_names.expr", "-O0", "--kernels=f,grad", "-o", f"all_names.{ext}"])
        if r.returncode != 0:
            fail(f"gradc -o all_names.{ext}", r.stderr)


REFUSED = """fmod lgamma nan y0 j1 exp10 isnan puts strcmp rand select sin exp write time _start _exit
pow10 FILE size_t M_PI NAN unix linux math_errhandling assert offsetof stdout EOF int typeof and
_Complex __x _X __cplusplus k_ gradc_k main std 2d nullptr_t _2d _k2""".split()
# The last row: the batch loop's own names and the kernels' parameters (the
# C++ batch kernels once called NAME(in, out) where p, count or in hid it).
ACCEPTED = """fmod2 kernel Y0 J1 Fmod fmod_kernel select_kernel sin_kernel y0_kernel M_PI2 unix2
v2d k2 step x model
p count in out jac v u hv""".split()
SMALL = "input x, y\nw = x*y + sin(x)\n"


def check_refused():
    with open(os.path.join(tmp, "small.expr"), "w") as f:
        f.write(SMALL)
    formats = ["cpp", "o", "ll", "hpp"]
    jobs = {}
    for i, name in enumerate(REFUSED):
        out = f"refused_{i}.{formats[i % len(formats)]}"
        jobs[POOL.submit(run, [gradc, "small.expr", f"--name={name}", "-o", out])] = (name, out)
    shutil.copy(os.path.join(tmp, "small.expr"), os.path.join(tmp, "fmod.expr"))
    jobs[POOL.submit(run, [gradc, "fmod.expr", "-o", "refused_stem.o"])] = ("fmod", "refused_stem.o")
    for job, (name, out) in jobs.items():
        r = job.result()
        left = [f for f in (out, os.path.splitext(out)[0] + ".hpp")
                if os.path.exists(os.path.join(tmp, f))]
        ok = (r.returncode == 2 and f"'{name}'" in r.stderr and "cannot be the kernel name" in
              r.stderr and "--name=" in r.stderr and not left)
        if not ok:
            fail(f"kernel name '{name}' (-o {out}): want exit 2 and a message, no file",
                 f"exit {r.returncode}\n{r.stderr}")
    print(f"(b) {len(jobs)} kernel names refused with exit 2 and a suggestion "
          f"(-o .{', .'.join(formats)}, and from a file name), e.g.\n    " +
          next(iter(jobs)).result().stderr.strip(), flush=True)


def check_accepted():
    jobs = []
    for name in ACCEPTED:
        for ext in ("cpp", "o"):
            jobs.append(POOL.submit(run, [gradc, "small.expr", f"--name={name}", "-o",
                                          f"ok_{name}.{ext}", "--kernels=f,grad,jvp,vjp,hess,batch"]))
    for j in jobs:
        if j.result().returncode != 0:
            return fail("an accepted kernel name", j.result().stderr)
    # One TU: the C headers, every header, every source, and a main that
    # checks f and grad at (1, 2): w = 2 + sin(1), dw/dx = 2 + cos(1), dw/dy = 1.
    calls = "".join(
        f"  ::{n}(in, out); ::{n}_grad(in, out, jac);\n"
        f"  bad += std::fabs(out[0] - w) > 1e-12 || std::fabs(jac[0] - dx) > 1e-12 || "
        f"jac[1] != 1.0;\n" for n in ACCEPTED)
    main = ("#include <cmath>\n#include <cstdlib>\n#include <cstring>\n#include <cstdio>\n" +
            "".join(f'#include "ok_{n}.hpp"\n' for n in ACCEPTED) + "@SOURCES@" +
            "int main() {\n  const double in[2] = {1.0, 2.0};\n  double out[1], jac[2];\n"
            "  const double w = 2.0 + std::sin(1.0), dx = 2.0 + std::cos(1.0);\n  int bad = 0;\n" +
            calls + '  std::printf("%d wrong\\n", bad);\n  return bad;\n}\n')
    with open(os.path.join(tmp, "close_names.cpp"), "w") as f:  # with the C++ kernels
        f.write(main.replace("@SOURCES@", "".join(f'#include "ok_{n}.cpp"\n' for n in ACCEPTED)))
    with open(os.path.join(tmp, "close_names_llvm.cpp"), "w") as f:  # linked with the .o files
        f.write(main.replace("@SOURCES@", ""))
    exe = lambda cxx, std: f"close_{os.path.basename(cxx)}_{std}"
    compile_configs("the close kernel names (C++)", lambda cxx, std: [
        cxx, f"-std={std}", *FLAGS, "close_names.cpp", "-o", exe(cxx, std)])
    objects = [f"ok_{n}.o" for n in ACCEPTED]
    r = run([gxx, "-std=c++17", *FLAGS, "close_names_llvm.cpp", *objects, "-o", "close_llvm", "-lm"])
    if r.returncode != 0:
        fail("the close kernel names (LLVM objects)", r.stdout + r.stderr)
    for binary in [exe(cxx, std) for cxx, std in CONFIGS] + ["close_llvm"]:
        if os.path.exists(os.path.join(tmp, binary)):
            r = run([os.path.join(tmp, binary)])
            if r.returncode != 0:
                fail(f"{binary}: the kernels compute wrong numbers", r.stdout + r.stderr)
    print(f"(b) {len(ACCEPTED)} close kernel names compile together with the C headers "
          f"(C++ in 4 configurations, LLVM objects linked) and compute f and grad right",
          flush=True)


def check_lists_current(macros):
    """Every macro the compilers define now is in the lists or reserved by rule."""
    covered = set(listed("kCodeMacros")) | set(listed("kCallerMacros"))
    missing = sorted(n for n in macros if IDENTIFIER.match(n) and not gen.reserved_by_rule(n)
                     and n not in covered)
    if missing:
        fail("macros missing from cpp_reserved_lists.inc; run scripts/gen_cpp_reserved.py",
             " ".join(missing))
    code = set(listed("kCodeMacros"))
    object_like = {n for n, function_like in macros.items() if not function_like}
    for n in ("M_PI", "NAN", "INFINITY", "HUGE_VAL", "math_errhandling", "unix", "linux"):
        if n in object_like and n not in code:
            fail(f"{n} is not in kCodeMacros")


def main():
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    macros = fresh_macros()
    check_lists_current(macros)
    library = listed("kLibrarySymbols")
    names = sorted({n for n in set(KEYWORDS) | set(macros) | gen.predefined_macros() |
                    set(library) | set(OWN) if IDENTIFIER.match(n)})
    check_variables(accepted_by_gradc(names))
    check_refused()
    check_accepted()
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
