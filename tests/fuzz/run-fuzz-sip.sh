#!/bin/sh
# run-fuzz-sip.sh -- a short, bounded libFuzzer pass over bcsipd's message
# path (tests/fuzz/fuzz-sip.c: raw bytes through the SIP engine), run by
# 'make check'.
#
# Builds the target from the sources of the store library and the SIP
# engine with clang -fsanitize=fuzzer,address,undefined into
# $BC_BUILDDIR/tests/fuzz, then fuzzes for FUZZ_TIME seconds (default 15)
# with at most 1024 MB, from the seed corpus tests/fuzz/corpus-sip (read
# only: new inputs go to a temporary directory).  Leaks count as
# findings.  Exit 0 no finding, 1 a crash, leak or sanitizer report (the
# input is kept in the build directory), 77 skipped (no clang or no
# libFuzzer runtime), 99 hard error.

srcdir=${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${BC_BUILDDIR:-$(pwd)}
clang=${CLANG:-$(command -v clang 2>/dev/null)}
time=${FUZZ_TIME:-15}

if [ -z "$clang" ] || ! command -v "$clang" >/dev/null 2>&1; then
	echo "SKIP: clang not found"
	exit 77
fi
for f in core/schema-sql.c core/xml-schema.c config.h; do
	if [ ! -f "$builddir/$f" ]; then
		echo "run-fuzz-sip: $builddir/$f missing (build first)" >&2
		exit 99
	fi
done

out=$builddir/tests/fuzz
mkdir -p "$out" || exit 99
# the libraries' sources as the build knows them
srcs=$(printf 'bc-print-sources:\n\t@echo $(core_libbc_a_SOURCES) $(core_libbcsip_a_SOURCES)\n' |
    make -s -C "$builddir" -f Makefile -f - bc-print-sources) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bcfuzz-sip.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# shellcheck disable=SC2046 # pkg-config output is split on purpose
if ! "$clang" -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined \
    -include "$builddir/config.h" -I"$srcdir/core" -I"$builddir" \
    $(pkg-config --cflags sqlite3 libxml-2.0 inih libosip2) \
    -o "$out/fuzz-sip" \
    "$srcdir/tests/fuzz/fuzz-sip.c" \
    $(for f in $srcs; do case $f in *.c) echo "$srcdir/$f" ;; esac; done) \
    "$builddir/core/schema-sql.c" "$builddir/core/xml-schema.c" \
    $(pkg-config --libs sqlite3 libxml-2.0 inih libosip2) 2>"$tmp/cc.log"; then
	if grep -q -e 'libclang_rt.fuzzer' -e 'cannot find' "$tmp/cc.log"; then
		echo "SKIP: clang cannot build libFuzzer targets here"
		head -n 5 "$tmp/cc.log"
		exit 77
	fi
	echo "run-fuzz-sip: cannot build the target:" >&2
	cat "$tmp/cc.log" >&2
	exit 99
fi

mkdir "$tmp/corpus" || exit 99
cd "$out" || exit 99
"$out/fuzz-sip" -max_total_time="$time" -rss_limit_mb=1024 \
    -timeout=10 -max_len=8192 -print_final_stats=1 -detect_leaks=1 \
    -artifact_prefix="$out/sip-" \
    "$tmp/corpus" "$srcdir/tests/fuzz/corpus-sip" >"$tmp/fuzz.log" 2>&1
rc=$?
tail -n 15 "$tmp/fuzz.log"
if [ "$rc" -ne 0 ]; then
	echo "run-fuzz-sip: libFuzzer exited $rc; see the artifact in $out"
	exit 1
fi
echo "ok: fuzzed the SIP message path for ${time}s"
exit 0
