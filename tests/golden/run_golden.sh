#!/usr/bin/env bash
# run_golden.sh FILE GRADC FILECHECK NOT TMPDIR - a tiny lit: runs each
# `# RUN:` line of FILE with bash (pipefail), substituting
#   %s -> FILE, %S -> FILE's directory, %t -> a scratch path, gradc -> GRADC,
#   FileCheck -> FILECHECK, not -> NOT.
# Fails if there is no RUN line or any RUN line fails.
set -u
file=$1 gradc=$2 filecheck=$3 not=$4 tmp=$5
mkdir -p "$tmp"
# One scratch name per test file (its path, flattened), so parallel tests
# never share one.
scratch="$tmp/$(tr '/' '_' <<<"$file").tmp"
# gradc, FileCheck and not also resolve through PATH (for quoted commands).
export PATH="$(dirname "$gradc"):$(dirname "$filecheck"):$PATH"
runs=$(grep -E '^(#|//) RUN: ' "$file" | sed -E 's@^(#|//) RUN: @@')
if [ -z "$runs" ]; then echo "no RUN line in $file"; exit 1; fi
status=0
while IFS= read -r cmd; do
  cmd=${cmd//%s/$file}
  cmd=${cmd//%S/$(dirname "$file")}
  cmd=${cmd//%t/$scratch}
  cmd=$(sed -E "s@(^|[|;&(] *|not +)gradc @\1$gradc @g; s@(^|[|;&] *)not @\1$not @g; s@(^|[|;&] *)FileCheck @\1$filecheck @g" <<<"$cmd")
  echo "RUN: $cmd"
  if ! bash -o pipefail -c "$cmd"; then echo "FAILED: $cmd"; status=1; fi
done <<<"$runs"
exit $status
