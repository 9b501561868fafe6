#!/bin/sh
# output.sh -- errors writing stdout are reported (exit 74), not lost.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

[ -w /dev/full ] || skip_all "no /dev/full"
# the message names what failed: standard output
werr="output|stdout|write"

# to_full CMD...: CMD with its stdout on /dev/full (stderr stays captured)
to_full() {
	"$@" >/dev/full
}

expect_silent bcadm init --site east
expect_silent bcadm dn add 5001 --type extension --alias 'Desk'
expect_silent bcadm place add P --dn 5001
expect_silent bcadm login add 1001
expect_silent bcadm person add ann --agent --login 1001:30 --place P

for cmd in "dn list" "dn list --format json" "dn show 5001" \
    "dn show 5001 --format json" "place list" "place show P" \
    "person list" "person show ann --format json" "login list" \
    "login show 1001"; do
	# shellcheck disable=SC2086
	expect_error 74 "$werr" to_full bcadm $cmd
done
expect_error 74 "$werr" to_full "$BCADM" help
expect_error 74 "$werr" to_full "$BCADM" help dn add
expect_error 74 "$werr" to_full "$BCADM" dn add -h
expect_error 74 "$werr" to_full "$BCADM" --version

# a command that prints nothing does not fail
expect_status 0 to_full bcadm dn add 5002 --type extension
expect_status 0 to_full bcadm check
expect_ok bcadm dn show 5002

# an empty list still has its header (text) or [] (JSON) to write
STORE=$T/empty.db
expect_silent bcadm init --site west
expect_error 74 "$werr" to_full bcadm dn list
expect_error 74 "$werr" to_full bcadm dn list --format json

# a long listing fills the buffer many times over
STORE=$T/store.db
i=0
while [ $i -lt 300 ]; do
	printf 'dn add 7%03d --type extension\n' $i
	i=$((i + 1))
done >"$T/cmds"
while read -r c1 c2 n o t; do
	"$BCADM" -s "$STORE" "$c1" "$c2" "$n" "$o" "$t" || fail "cannot add $n"
done <"$T/cmds"
expect_error 74 "$werr" to_full bcadm dn list
expect_error 74 "$werr" to_full bcadm dn list --format json

finish
