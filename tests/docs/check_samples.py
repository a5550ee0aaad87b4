#!/usr/bin/env python3
"""check_samples.py GRADC REPO DOC.md... - run the shell samples of the docs.

A sample is a ```sh block whose lines start with `$ ` (a command) or are
what the command before printed. `$ cat FILE` followed by lines writes FILE
with those lines (the sample shows the file it then uses); every other
command runs with bash in a scratch directory that has the repository's
`examples/` (as `examples`), with `gradc` on PATH, and must exit with status
0 and print exactly the lines that follow it (stdout and stderr). A command
followed by no lines must print nothing. Fails listing every sample that
does not match, so the docs cannot go stale.
"""
import os
import re
import subprocess
import sys
import tempfile


def samples(path):
    """(line number, command, expected lines) of every `$ ` command."""
    out, in_sh, current = [], False, None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not in_sh:
                in_sh = line.strip() == "```sh"
                continue
            if line.startswith("```"):
                in_sh, current = False, None
            elif line.startswith("$ "):
                current = (number, line[2:], [])
                out.append(current)
            elif current is not None:
                current[2].append(line)
    return out


def main():
    gradc, repo, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    failures, count = [], 0
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(gradc)) + ":" + os.environ["PATH"],
               LC_ALL="C")
    for doc in docs:
        with tempfile.TemporaryDirectory() as work:
            os.symlink(os.path.join(repo, "examples"), os.path.join(work, "examples"))
            for number, command, expected in samples(doc):
                count += 1
                where = f"{os.path.relpath(doc, repo)}:{number}: $ {command}"
                m = re.fullmatch(r"cat (\S+)", command)
                if m and expected and not os.path.exists(os.path.join(work, m.group(1))):
                    with open(os.path.join(work, m.group(1)), "w", encoding="utf-8") as f:
                        f.write("\n".join(expected) + "\n")
                    continue
                run = subprocess.run(["bash", "-c", command], cwd=work, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, timeout=300)
                got = run.stdout.rstrip("\n").split("\n") if run.stdout.strip() else []
                if run.returncode != 0 or got != expected:
                    failures.append(f"{where}\n  exit status {run.returncode}\n  expected:\n"
                                    + "".join(f"    {l}\n" for l in expected)
                                    + "  got:\n" + "".join(f"    {l}\n" for l in got))
    for f in failures:
        print(f)
    print(f"check_samples: {count - len(failures)} of {count} samples match")
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
