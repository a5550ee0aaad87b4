#!/usr/bin/env python3
"""gen_cpp_reserved.py - collects the names the C/C++ implementation owns, for
compiler/emit/cpp_reserved_lists.inc (see compiler/emit/cpp_reserved.h).

    python3 scripts/gen_cpp_reserved.py > compiler/emit/cpp_reserved_lists.inc

The names come from the installed toolchain (run it on the oldest supported
Linux and re-run it when g++, clang++ or glibc change):
  - macros: `CXX -dM -E -x c++ -std=STD -include H ...` for g++ and
    clang++-19 at -std=c++17 and -std=gnu++17; predefined macros of the
    Linux targets clang knows (unix, linux, i386, mips, ...).
  - C library symbols: the global declarations of the C headers (clang's
    AST of them as C++, glibc with _GNU_SOURCE as g++ and clang++ define it),
    the dynamic symbols libc.so.6 and libm.so.6 define (those kept only for
    old binaries, such as `step`, only where the compilers know them as
    built-ins, such as `pow10`), and the symbols of the C runtime start
    files (_start, _init, ...).
The .inc lists only gradc identifiers that the standard's patterns do not
already reserve (names containing "__" or starting with '_' and an
uppercase letter are reserved by rule in cpp_reserved.cpp).
tests/names/check_names.py imports this file to collect the macros afresh.
"""
import json
import re
import subprocess
import sys
import tempfile
import textwrap

CLANGXX = "clang++-19"
COMPILERS = ["g++", CLANGXX]
STANDARDS = ["c++17", "gnu++17"]
# What the generated .cpp includes (<cmath>) and what <cmath> may bring.
CODE_HEADERS = ["cmath", "cstdlib", "cstddef", "cstdint"]
# What a caller may include next to a kernel's header: every C library
# header of C++17 ([headers] table 17), e.g. <csignal>'s SIGINT and
# <csetjmp>'s jmp_buf.
CALLER_HEADERS = ["cassert", "cctype", "cerrno", "cfenv", "cfloat", "cinttypes", "climits",
                  "clocale", "cmath", "csetjmp", "csignal", "cstdarg", "cstddef", "cstdint",
                  "cstdio", "cstdlib", "cstring", "ctime", "cuchar", "cwchar", "cwctype"]
# A C program may include the kernel header too (it is C as well): the C
# library headers of C17 (7.1.2), among them those C++ lacks (<complex.h>'s
# I and complex, <stdnoreturn.h>'s noreturn, <threads.h>, <stdatomic.h>),
# compiled as C by gcc and clang-19.
C_COMPILERS = ["gcc", "clang-19"]
C_STANDARDS = ["c17", "gnu17"]
C_CALLER_HEADERS = ["assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h",
                    "inttypes.h", "iso646.h", "limits.h", "locale.h", "math.h", "setjmp.h",
                    "signal.h", "stdalign.h", "stdarg.h", "stdatomic.h", "stdbool.h", "stddef.h",
                    "stdint.h", "stdio.h", "stdlib.h", "stdnoreturn.h", "string.h", "tgmath.h",
                    "threads.h", "time.h", "uchar.h", "wchar.h", "wctype.h"]
LINUX_TARGETS = ["x86_64-linux-gnu", "i386-linux-gnu", "aarch64-linux-gnu",
                 "arm-linux-gnueabihf", "riscv64-linux-gnu", "powerpc64le-linux-gnu",
                 "s390x-linux-gnu", "mips64el-linux-gnuabi64", "sparc64-linux-gnu"]
LIBRARIES = ["libc.so.6", "libm.so.6"]
START_FILES = ["crt1.o", "crti.o", "crtn.o", "crtbegin.o", "crtend.o"]

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def reserved_by_rule(name):
    return "__" in name or re.match(r"_[A-Z]", name) is not None


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def macros(cxx, std, headers, extra=(), language="c++"):
    """{name: is_function_like} of `#define`s after including `headers`."""
    cmd = [cxx, "-dM", "-E", "-x", language, f"-std={std}", *extra]
    for h in headers:
        cmd += ["-include", h]
    found = {}
    for line in run(cmd + ["/dev/null"]).splitlines():
        m = re.match(r"#define ([A-Za-z_][A-Za-z0-9_]*)(\(?)", line)
        if m:
            found[m.group(1)] = m.group(2) == "("
    return found


def predefined_macros():
    names = set()
    for target in LINUX_TARGETS:
        for std in STANDARDS:
            names |= set(macros(CLANGXX, std, [], [f"--target={target}"]))
    return names


GXX_STDDEF_GLOBALS = {"nullptr_t"}


def declared_names(headers, kinds=("FunctionDecl", "VarDecl", "TypedefDecl", "TypeAliasDecl",
                                   "FunctionTemplateDecl", "EnumConstantDecl")):
    """Global functions, variables, typedefs and enumerators the headers
    declare (those of `kinds`)."""
    with tempfile.NamedTemporaryFile("w", suffix=".cpp") as f:
        f.write("".join(f"#include <{h}>\n" for h in headers))
        f.flush()
        ast = json.loads(run([CLANGXX, "-std=gnu++17", "-fsyntax-only", "-Xclang",
                              "-ast-dump=json", f.name]))
    names = set()

    def walk(node):
        for d in node.get("inner", []):
            kind = d.get("kind")
            if kind == "LinkageSpecDecl":  # extern "C" { ... }
                walk(d)
            elif kind in kinds and "name" in d:
                names.add(d["name"])
            elif kind == "EnumDecl" and "EnumConstantDecl" in kinds:
                names.update(e["name"] for e in d.get("inner", [])
                             if e.get("kind") == "EnumConstantDecl")
    walk(ast)
    return names


def defined_symbols(files, dynamic):
    """(default, compat): the symbols `files` define; for shared libraries,
    compat holds those with only an old version (name@VERSION, never
    name@@VERSION), which new programs cannot link against."""
    default, compat = set(), set()
    for name in files:
        path = run(["g++", f"-print-file-name={name}"]).strip()
        out = run(["nm", "--defined-only"] + (["-D"] if dynamic else []) + [path])
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3:
                symbol = parts[2]
                (compat if "@" in symbol and "@@" not in symbol else default).add(
                    symbol.split("@")[0])
    return default, compat - default


def compiler_builtins(names):
    """Those of `names` that g++ or clang++ know as library built-ins: a
    declaration of another type draws a warning (an error under -Werror),
    pow10 in g++. Line i of the probe declares the i-th name."""
    ordered = sorted(n for n in names if IDENTIFIER.match(n))
    found = set()
    with tempfile.NamedTemporaryFile("w", suffix=".cpp") as f:
        f.write("".join(f'extern "C" void {n}(const double* in, double* out);\n' for n in ordered))
        f.flush()
        for cxx in COMPILERS:
            err = subprocess.run([cxx, "-std=gnu++17", "-Wall", "-Wextra", "-fsyntax-only", f.name],
                                 capture_output=True, text=True).stderr
            for line in re.findall(re.escape(f.name) + r":(\d+):\d+: (?:warning|error)", err):
                found.add(ordered[int(line) - 1])
    return found


def collect():
    code_macros, caller_macros = set(), set()
    for cxx in COMPILERS:
        for std in STANDARDS:
            code_macros |= {n for n, function_like in macros(cxx, std, CODE_HEADERS).items()
                            if not function_like}
            caller_macros |= set(macros(cxx, std, CALLER_HEADERS))
    c_macros = set()
    for cc in C_COMPILERS:
        for std in C_STANDARDS:
            c_macros |= set(macros(cc, std, C_CALLER_HEADERS, language="c"))
    code_macros |= predefined_macros()
    caller_macros -= code_macros
    c_macros -= code_macros | caller_macros
    default, compat = defined_symbols(LIBRARIES, True)
    start, _ = defined_symbols(START_FILES, False)
    library = declared_names(CALLER_HEADERS) | default | compiler_builtins(compat) | start
    # g++'s own <stddef.h> declares nullptr_t at global scope (typedef
    # decltype(nullptr) nullptr_t); clang's, which the AST above reads, only
    # in namespace std.
    library |= GXX_STDDEF_GLOBALS
    # What g++'s -Wshadow reports a local for shadowing: global types,
    # variables and enumerators (not functions).
    shadowed = declared_names(CALLER_HEADERS, ("VarDecl", "TypedefDecl", "TypeAliasDecl",
                                               "EnumConstantDecl")) | GXX_STDDEF_GLOBALS
    return code_macros, caller_macros, c_macros, library, shadowed


def cpp_array(name, comment, names):
    lines, line = [], "   "
    for n in sorted(names):
        item = f' "{n}",'
        if len(line) + len(item) > 100:
            lines.append(line)
            line = "   "
        line += item
    lines.append(line)
    return f"/// {comment}\ninline constexpr std::string_view {name}[] = {{\n" + \
        "\n".join(lines) + "\n};\n"


def toolchain():
    gxx = run(["g++", "-dumpfullversion"]).strip()
    clang = re.search(r"version (\S+)", run([CLANGXX, "--version"])).group(1)
    glibc = run(["ldd", "--version"]).splitlines()[0].split()[-1]
    triple = run(["g++", "-dumpmachine"]).strip()
    return f"g++ {gxx}, clang++ {clang}, glibc {glibc}, {triple}"


def main():
    code_macros, caller_macros, c_macros, library, shadowed = collect()
    keep = lambda names: {n for n in names if IDENTIFIER.match(n) and not reserved_by_rule(n)}
    sys.stdout.write(
        "// cpp_reserved_lists.inc - generated by scripts/gen_cpp_reserved.py; do not edit.\n"
        f"// Toolchain: {toolchain()}.\n"
        "// Names reserved by the standard's patterns (\"__\" inside, '_' + uppercase\n"
        "// first) are left out: cpp_reserved.cpp reserves them by rule. Sorted.\n\n" +
        cpp_array("kCodeMacros",
                  "Object-like macros of <" + ">, <".join(CODE_HEADERS) + "> (g++ and clang++,\n"
                  "/// -std=c++17 and gnu++17) and those predefined on Linux targets.",
                  keep(code_macros)) + "\n" +
        cpp_array("kCallerMacros",
                  "\n/// ".join(textwrap.wrap(
                      "The other macros, function-like too, of <" + ">, <".join(CALLER_HEADERS) +
                      ">.", 96)), keep(caller_macros)) + "\n" +
        cpp_array("kCHeaderMacros",
                  "\n/// ".join(textwrap.wrap(
                      "The macros a C program that includes a kernel's header may have besides "
                      "(<complex.h>'s I, <stdnoreturn.h>'s noreturn): those of the C library "
                      "headers of C17 compiled as C (" + ", ".join(C_COMPILERS) + "; -std=" +
                      " and ".join(C_STANDARDS) + "), <" + ">, <".join(C_CALLER_HEADERS) +
                      ">, that the lists above lack.", 96)), keep(c_macros)) + "\n" +
        cpp_array("kLibrarySymbols",
                  "Global declarations of those headers (functions, variables, typedefs,\n"
                  "/// enumerators; glibc with _GNU_SOURCE), the dynamic symbols of " +
                  " and ".join(LIBRARIES) + "\n/// (old-version-only ones if the compilers know "
                  "them as built-ins),\n/// and the symbols of the start files (" +
                  ", ".join(START_FILES) + ").", keep(library)) + "\n" +
        cpp_array("kLibraryGlobals",
                  "The global types, variables and enumerators of those headers: a local of\n"
                  "/// the name draws g++'s -Wshadow (\"shadows a global declaration\").",
                  keep(shadowed)))


if __name__ == "__main__":
    main()
