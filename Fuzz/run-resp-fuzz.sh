#!/usr/bin/env bash
# Builds the RESP parser with libFuzzer and AddressSanitizer and fuzzes it
# for SECONDS (default 60). Exits non-zero if the fuzzer finds a crash.
set -euo pipefail
seconds="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
package="$here/RESPParserFuzz"
export PATH="/opt/swift/usr/bin:$PATH"

swift build --package-path "$package" -c release --product RESPParserFuzz >&2
lib="$(swift build --package-path "$package" -c release --show-bin-path)"

corpus="$(mktemp -d)"
artifacts="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$corpus" "$work"' EXIT
# libFuzzer's main plus the instrumented parser library.
binary="$work/resp-fuzz"
: >"$work/empty.swift"
swiftc -sanitize=fuzzer,address -parse-as-library "$work/empty.swift" -module-name RESPFuzzMain \
    -L "$lib" -lRESPParserFuzz -Xlinker -rpath -Xlinker "$lib" -o "$binary"
# Seeds: one reply of each type, so the fuzzer starts from valid RESP3.
printf '+OK\r\n' >"$corpus/simple"
printf -- '-ERR bad\r\n' >"$corpus/error"
printf ':42\r\n' >"$corpus/integer"
printf '$5\r\nhello\r\n' >"$corpus/bulk"
printf ',3.14\r\n' >"$corpus/double"
printf '#t\r\n_\r\n(123456789012345678901234567890\r\n' >"$corpus/scalars"
printf '=15\r\ntxt:Some string\r\n!3\r\nERR\r\n' >"$corpus/verbatim"
printf '*2\r\n%%1\r\n+k\r\n~1\r\n:1\r\n>2\r\n$1\r\na\r\n$1\r\nb\r\n' >"$corpus/aggregates"
printf '|1\r\n+ttl\r\n:3\r\n*?\r\n:1\r\n.\r\n$?\r\n;2\r\nhi\r\n;0\r\n' >"$corpus/streamed"

echo "fuzzing the RESP parser for ${seconds}s" >&2
if "$binary" "$corpus" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >&2; then
    echo "no crash in ${seconds}s" >&2
    rm -rf "$artifacts"
else
    status=$?
    echo "fuzzer found a crash (exit $status); inputs kept in $artifacts" >&2
    exit "$status"
fi
