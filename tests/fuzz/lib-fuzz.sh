# lib-fuzz.sh -- the bounded libFuzzer pass both fuzz tests run, sourced
# by run-fuzz.sh (XML import) and run-fuzz-sip.sh (SIP messages).
#
# The caller sets:
#   prog		name in messages
#   target	tests/fuzz/TARGET.c, built into $BC_BUILDDIR/tests/fuzz/TARGET
#   lib_vars	automake variables naming the library sources to build in
#   pkgs		pkg-config packages to compile and link with
#   corpus	seed corpus folder below tests/fuzz (read only)
#   max_len	libFuzzer -max_len
#   what		what is fuzzed, for the closing line
#   FUZZ_TIME	seconds, defaulting to $default_time
#   fuzz_opts	further libFuzzer options (may be empty)
# and then calls fuzz_pass, which exits: 0 no finding, 1 a crash or
# sanitizer report (the input is kept in the build directory), 77 skipped
# (no clang or no libFuzzer runtime), 99 hard error.

# shellcheck disable=SC2154 # the caller sets the variables listed above
srcdir=${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${BC_BUILDDIR:-$(pwd)}
clang=${CLANG:-$(command -v clang 2>/dev/null)}

fuzz_pass() {
	time=${FUZZ_TIME:-$default_time}
	if [ -z "$clang" ] || ! command -v "$clang" >/dev/null 2>&1; then
		echo "SKIP: clang not found"
		exit 77
	fi
	for f in core/schema-sql.c core/xml-schema.c config.h; do
		if [ ! -f "$builddir/$f" ]; then
			echo "$prog: $builddir/$f missing (build first)" >&2
			exit 99
		fi
	done

	out=$builddir/tests/fuzz
	mkdir -p "$out" || exit 99
	# the libraries' sources as the build knows them
	srcs=$(printf 'bc-print-sources:\n\t@echo %s\n' "$lib_vars" |
	    make -s -C "$builddir" -f Makefile -f - bc-print-sources) ||
	    exit 99
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$prog.XXXXXX") || exit 99
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 99' HUP INT TERM

	# shellcheck disable=SC2046,SC2086 # pkg-config and $pkgs split on purpose
	if ! "$clang" -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined \
	    -include "$builddir/config.h" -I"$srcdir/core" -I"$builddir" \
	    $(pkg-config --cflags $pkgs) \
	    -o "$out/$target" \
	    "$srcdir/tests/fuzz/$target.c" \
	    $(for f in $srcs; do
		case $f in *.c) echo "$srcdir/$f" ;; esac
	    done) \
	    "$builddir/core/schema-sql.c" "$builddir/core/xml-schema.c" \
	    $(pkg-config --libs $pkgs) 2>"$tmp/cc.log"; then
		if grep -q -e 'libclang_rt.fuzzer' -e 'cannot find' \
		    "$tmp/cc.log"; then
			echo "SKIP: clang cannot build libFuzzer targets here"
			head -n 5 "$tmp/cc.log"
			exit 77
		fi
		echo "$prog: cannot build the target:" >&2
		cat "$tmp/cc.log" >&2
		exit 99
	fi

	mkdir "$tmp/corpus" || exit 99
	cd "$out" || exit 99
	# shellcheck disable=SC2086 # fuzz_opts holds several options
	"$out/$target" -max_total_time="$time" -rss_limit_mb=1024 \
	    -timeout=10 -max_len="$max_len" -print_final_stats=1 $fuzz_opts \
	    -artifact_prefix="$out/$target-" \
	    "$tmp/corpus" "$srcdir/tests/fuzz/$corpus" >"$tmp/fuzz.log" 2>&1
	rc=$?
	tail -n 15 "$tmp/fuzz.log"
	if [ "$rc" -ne 0 ]; then
		echo "$prog: libFuzzer exited $rc; see the artifact in $out"
		exit 1
	fi
	echo "ok: fuzzed $what for ${time}s"
	exit 0
}
