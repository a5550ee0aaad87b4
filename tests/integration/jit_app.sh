#!/usr/bin/env bash
# jit_app.sh JIT_APP FILECHECK - examples/jit_app on formulas and on errors.
set -euo pipefail
app=$1 filecheck=$2
here=$(dirname "$0")
"$app" 'x*y + sin(x)' x=1 y=2 | "$filecheck" "$here/jit_app.checks" --check-prefix=EXPR
"$app" --check 'a = x*y; w = a*a + exp(x)' x=1 y=2 | "$filecheck" "$here/jit_app.checks" --check-prefix=PROGRAM
# A program error prints the diagnostic with its caret and exits 1.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
set +e
"$app" 'x*y +' x=1 y=2 > /dev/null 2> "$err"; status=$?
set -e
[ "$status" -eq 1 ] || { echo "expected exit status 1, got $status"; exit 1; }
"$filecheck" "$here/jit_app.checks" --check-prefix=ERROR < "$err"
