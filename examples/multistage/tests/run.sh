#!/bin/sh
# Test suite for wordcount: run.sh PATH-TO-WORDCOUNT
set -eu
bin="$1"
here="$(dirname "$0")"
failed=0
check() {
  if [ "$2" = "$3" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1"
    echo "  expected: $(printf '%s' "$2" | tr '\n' '|')"
    echo "  actual:   $(printf '%s' "$3" | tr '\n' '|')"
    failed=1
  fi
}
check "version" "wordcount" "$("$bin" --version | cut -d' ' -f1)"
check "top two" "the 3
and 1" "$(printf 'the cat and the hat\nThe end\n' | "$bin" -n 2)"
check "stop words" "cat 1
end 1" "$(printf 'the cat and the hat\nThe end\n' | "$bin" -s -n 2)"
check "file input" "$(cat "$here/expected.txt")" "$("$bin" -n 3 "$here/input.txt")"
check "empty input" "" "$(printf '' | "$bin")"
if "$bin" --bogus >/dev/null 2>&1; then check "bad option fails" "exit 2" "exit 0"; else check "bad option fails" "" ""; fi
[ "$failed" -eq 0 ] && echo "all tests passed"
exit "$failed"
