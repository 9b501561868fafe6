#!/bin/sh
# run-fuzz.sh -- a short, bounded libFuzzer pass over the XML import path
# (tests/fuzz/fuzz-import.c), run by 'make check'.  Builds the target
# from the store library with clang -fsanitize=fuzzer,address,undefined
# and fuzzes for FUZZ_TIME seconds (default 20) from tests/fuzz/corpus;
# libxml2's own leaks are suppressed (lsan.supp).  See lib-fuzz.sh for the
# exit statuses.

prog=run-fuzz
target=fuzz-import
# shellcheck disable=SC2016 # make expands these, not the shell
lib_vars='$(core_libbc_a_SOURCES)'
pkgs='sqlite3 libxml-2.0 inih jansson'
corpus=corpus
max_len=65536
default_time=20
what='the import path'
fuzz_opts=
. "${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fuzz/lib-fuzz.sh"
LSAN_OPTIONS=suppressions=$srcdir/tests/fuzz/lsan.supp
export LSAN_OPTIONS
fuzz_pass
