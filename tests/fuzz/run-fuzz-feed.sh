#!/bin/sh
# run-fuzz-feed.sh -- a short, bounded libFuzzer pass over the feed
# documents bcsync(8) applies from the peer site (tests/fuzz/fuzz-feed.c:
# raw bytes through bc_feed_apply), run by 'make check'.  Builds the
# target from the store library with clang
# -fsanitize=fuzzer,address,undefined and fuzzes for FUZZ_TIME seconds
# (default 20) from tests/fuzz/corpus-feed (feed documents written by
# bc_feed_write_changes and bc_feed_write_snapshot, edited ones, broken
# ones) with the dictionary feed.dict; leaks count as findings, libxml2's
# own included (no suppressions).  See lib-fuzz.sh for the exit
# statuses.

prog=run-fuzz-feed
target=fuzz-feed
# shellcheck disable=SC2016 # make expands these, not the shell
lib_vars='$(core_libbc_a_SOURCES)'
pkgs='sqlite3 libxml-2.0 inih jansson'
corpus='corpus-feed'
max_len=65536
default_time=20
what='the feed apply path'
. "${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fuzz/lib-fuzz.sh"
fuzz_opts="-detect_leaks=1 -dict=$srcdir/tests/fuzz/feed.dict"
fuzz_pass
