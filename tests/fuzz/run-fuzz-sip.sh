#!/bin/sh
# run-fuzz-sip.sh -- a short, bounded libFuzzer pass over bcsipd's message
# path (tests/fuzz/fuzz-sip.c: raw bytes through the SIP engine), run by
# 'make check'.  Builds the target from the store library and the SIP
# engine with clang -fsanitize=fuzzer,address,undefined and fuzzes for
# FUZZ_TIME seconds (default 15) from tests/fuzz/corpus-sip; leaks count
# as findings.  See lib-fuzz.sh for the exit statuses.

prog=run-fuzz-sip
target=fuzz-sip
# shellcheck disable=SC2016 # make expands these, not the shell
lib_vars='$(core_libbc_a_SOURCES) $(core_libbcsip_a_SOURCES)'
pkgs='sqlite3 libxml-2.0 inih libosip2 jansson'
corpus='corpus-sip'
max_len=8192
default_time=15
what='the SIP message path'
fuzz_opts=-detect_leaks=1
. "${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fuzz/lib-fuzz.sh"
fuzz_pass
