#!/bin/sh
# bcsync-prefetch.sh -- the puller fetches the next document while it
# applies one ([sync] batch = 7, 60 queued changes: nine documents): the
# documents fetched ahead are taken, every document is applied once and
# in order (the positions logged rise strictly, the objects applied add
# up to the changes), the sites converge and west's position reaches
# east's.  The peer takes as applied only what the puller says it
# committed (applied=), never a position asked for ahead.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"
. "$BC_SRCDIR/tests/sync/lib-bcsync.sh"

N=60

bcsync_sites "batch = 7"
i=0
while [ $i -lt $N ]; do
	echo "dn add $((7000 + i)) --type extension --alias queued-$i"
	i=$((i + 1))
done >"$T/add.bcadm"
if "$BCADM" -s "$E" -f "$T/add.bcadm" >/dev/null 2>"$T/add.err"; then
	pass
else
	fail "adding $N DNs at east: $(head -n 2 "$T/add.err")"
fi
start_site east || finish

# the feed: requests of the peer, by hand (west does not run yet)
seq=$(status_field east seq)
api east "/v1/changes?after=7&applied=8&wait=0" -H "X-Bcsync-Site: west"
expect_equal "applied above after" "$code" 400
api east "/v1/changes?after=14&applied=0&wait=0&limit=7" \
    -H "X-Bcsync-Site: west"
expect_equal "a request asked ahead" "$code" 200
expect_equal "asking ahead acknowledges only applied=" \
    "$(status_field east acked)" 0
api east "/v1/changes?after=0&wait=0&limit=7" -H "X-Bcsync-Site: west"
expect_equal "a request without applied=" "$code" 200

start_site west || finish
caught_up() {
	[ "$(status_field west applied)" -ge "$seq" ] 2>/dev/null
}
wait_until "west's position reaches east's ($seq)" 30 caught_up
expect_converged "after the queued changes"
expect_log west 'document fetched ahead after [0-9]+ taken'
# every document applied once, in order
if awk '/applied [0-9]+ of [0-9]+ objects up to/ {
	for (i = 1; i <= NF; i++)
		if ($i == "up" && $(i + 1) == "to")
			pos = $(i + 2) + 0
		else if ($i == "of")
			objs += $(i + 1)
	if (pos <= last) { print "position " pos " after " last; bad = 1 }
	last = pos
} END {
	if (objs != n) { print objs " objects applied, " n " changes"; bad = 1 }
	exit bad
}' n=$N "$T/west.log" >"$T/order.txt"; then
	pass
else
	fail "documents applied out of order or twice: $(head -n 3 \
	    "$T/order.txt")"
fi
expect_equal "east counts west's position as acknowledged" \
    "$(status_field east acked)" "$seq"
stop_site west
stop_site east
expect_integrity "$E"
expect_integrity "$W"

finish
