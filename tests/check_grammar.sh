#!/usr/bin/env bash
# check_grammar.sh EBNF PARSER_SOURCES... - every production of the grammar
# is a parser method of the same name carrying its production as a comment,
# and every such comment in the parser is a production of the grammar.
set -euo pipefail
ebnf=$1
shift
parser=$(mktemp)
trap 'rm -f "$parser"' EXIT
cat "$@" > "$parser"
status=0
productions=$(grep -oE '^[a-z_]+ += ' "$ebnf" | awk '{print $1}')
[ -n "$productions" ] || { echo "no productions found in $ebnf"; exit 1; }
for p in $productions; do
  grep -qE "^[A-Za-z_:<>*& ]+ Parser::$p\(" "$parser" ||
    { echo "production '$p' has no method Parser::$p"; status=1; }
  grep -qE "^// $p = " "$parser" || { echo "method '$p' lacks its '// $p = ...' comment"; status=1; }
done
for c in $(grep -oE '^// [a-z_]+ = ' "$parser" | awk '{print $2}'); do
  grep -qE "^$c += " "$ebnf" || { echo "parser comment '$c' is not a grammar production"; status=1; }
done
[ $status -eq 0 ] && echo "grammar and parser agree on $(wc -w <<<"$productions") productions"
exit $status
