#!/bin/sh
# bcsync-outage.sh -- bcsync(8) survives outages: a daemon killed with
# SIGKILL in the middle of a burst of 10,000 changes (the receiving one,
# then the sending one) resumes from its stored position, with no change
# lost or applied twice; a peer stopped while both sites change comes
# back and converges; a peer whose position was purged from the feed
# ([sync] retain = 0, deletions while it is down) bootstraps from the
# snapshot and converges.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"
. "$BC_SRCDIR/tests/sync/lib-bcsync.sh"

BURST=${BC_BURST:-10000}
STEP=500	# changes per transaction of the burst

# burst_insert FILE FIRST: BURST new extensions FIRST.. in transactions of
# STEP, written with the sqlite3 shell (the daemon records them)
burst_insert() {
	_i=0
	while [ $_i -lt "$BURST" ]; do
		sq "$1" "WITH RECURSIVE c(n) AS (SELECT $_i UNION ALL
		    SELECT n + 1 FROM c WHERE n < $((_i + STEP - 1)))
		    INSERT INTO dn (type, number, alias)
		    SELECT 'extension', $2 + n, 'burst' FROM c" || return 1
		_i=$((_i + STEP))
	done
}

# burst_update FILE FIRST ALIAS: the same extensions get ALIAS
burst_update() {
	_i=0
	while [ $_i -lt "$BURST" ]; do
		sq "$1" "UPDATE dn SET alias = '$3' WHERE type = 'extension'
		    AND CAST(number AS INTEGER) BETWEEN $(($2 + _i)) AND
		    $(($2 + _i + STEP - 1))" || return 1
		_i=$((_i + STEP))
	done
}

count_alias() {
	sq "$1" "SELECT count(*) FROM dn WHERE alias = '$2'"
}

# at_least FILE ALIAS N: FILE has at least N DNs with ALIAS
at_least() {
	[ "$(count_alias "$1" "$2")" -ge "$3" ]
}

feed_seq() {
	sq "$1" "SELECT seq FROM site"
}

# same_meta: every synchronized object has the same change metadata
# (HLC, origin, hash, deleted) at both sites
same_meta() {
	_d=$(sq "$E" "ATTACH '$W' AS w;
	    SELECT count(*) FROM sync_meta a FULL JOIN w.sync_meta b
	    USING (kind, key) WHERE a.hlc IS NOT b.hlc OR
	    a.origin IS NOT b.origin OR a.hash IS NOT b.hash OR
	    a.deleted IS NOT b.deleted")
	[ "$_d" = 0 ]
}

expect_no_conflicts() {
	_c=$(( $(sq "$E" "SELECT count(*) FROM conflict") +
	    $(sq "$W" "SELECT count(*) FROM conflict") ))
	expect_equal "conflicts recorded ($1)" "$_c" 0
}

bcsync_sites "batch = $STEP"
start_site east || finish
start_site west || finish
expect_silent east dn add 4000 --type extension
wait_until "the first change reaches west" 10 eval \
    '[ -n "$(sq "$W" "SELECT 1 FROM dn WHERE number = '\''4000'\''")" ]'

# ---- SIGKILL the receiver in the middle of a burst -------------------------
seq_w0=$(feed_seq "$W")
burst_insert "$E" 100000 &
burst=$!
wait_until "west applies part of the burst" 20 at_least "$W" burst $((STEP * 2))
kill_site west
n_killed=$(count_alias "$W" burst)
wait "$burst" || fail "the burst at east failed"
if [ "$n_killed" -lt "$BURST" ]; then
	pass
else
	note "west had applied all $BURST changes before the kill"
fi
note "west killed with $n_killed of $BURST changes applied"
expect_integrity "$W"
start_site west
expect_converged "after west was killed in a burst" 60
expect_equal "burst DNs at west" "$(count_alias "$W" burst)" "$BURST"
check "the same change metadata at both sites" same_meta
# each change took one position of west's feed: none applied twice
expect_equal "positions west used applying the burst" \
    "$(( $(feed_seq "$W") - seq_w0 ))" "$BURST"
expect_no_conflicts "after the receiver was killed"

# ---- SIGKILL the sender in the middle of a burst ---------------------------
seq_e0=$(feed_seq "$E")
seq_w0=$(feed_seq "$W")
burst_update "$E" 100000 again &
burst=$!
wait_until "west applies part of the second burst" 20 at_least "$W" again \
    "$STEP"
kill_site east
wait "$burst" || fail "the second burst at east failed"
note "east killed with $(count_alias "$W" again) of $BURST changes at west"
expect_integrity "$E"
start_site east
expect_converged "after east was killed in a burst" 60
expect_equal "updated DNs at west" "$(count_alias "$W" again)" "$BURST"
expect_equal "positions east recorded for the burst" \
    "$(( $(feed_seq "$E") - seq_e0 ))" "$BURST"
expect_equal "positions west used applying it" \
    "$(( $(feed_seq "$W") - seq_w0 ))" "$BURST"
check "the same change metadata at both sites" same_meta
expect_no_conflicts "after the sender was killed"
expect_silent west check

# ---- a peer stopped for a while, changes at both sites, then back -----------
stop_site west
expect_equal "west stopped with SIGTERM" "$stop_status" 0
wait_until "east sees west down" 10 eval \
    '[ "$(status_field east peer_up)" = 0 ]'
expect_silent east dn add 4001 --type extension --alias "east while west down"
expect_silent east dn del 100007 --type extension
sq "$E" "UPDATE dn SET alias = 'east, outage' WHERE number = '100008'"
expect_silent west dn add 4002 --type acd-queue --alias "west while down"
expect_silent west login add 2001 --password pw
sq "$W" "UPDATE dn SET alias = 'west, outage' WHERE number = '100009'"
wait_until "east counts its pending changes" 10 eval \
    '[ "$(status_field east pending)" -ge 3 ]'
start_site west
expect_converged "after west came back" 30
has() {
	[ -n "$(sq "$1" "SELECT 1 FROM dn WHERE number = '$2'")" ]
}
check "west's change made while down reached east" has "$E" 4002
check "east's change made while west was down reached west" has "$W" 4001
check "east's deletion reached west" eval '! has "$W" 100007'
wait_until "west reports its peer up" 10 eval \
    '[ "$(status_field west peer_up)" = 1 ]'
wait_until "east has no pending change" 10 eval \
    '[ "$(status_field east pending)" = 0 ]'
expect_no_conflicts "after the outage"
stop_site west
stop_site east

# ---- a peer behind the retained feed bootstraps from the snapshot -----------
bcsync_sites "retain = 0"
start_site east || finish
start_site west || finish
for n in 1 2 3 4 5 6 7 8; do
	echo "dn add 600$n --type extension"
done >"$T/six.bcadm"
expect_silent east -f "$T/six.bcadm"
wait_until "the first DNs reach west" 10 has "$W" 6008
stop_site west
w_at=$(sq "$W" "SELECT applied FROM sync_feed WHERE peer = 'east'")
expect_silent east dn del 6001 --type extension
expect_silent east dn del 6002 --type extension
sq "$E" "DELETE FROM dn WHERE number IN ('6003', '6004')"
expect_silent east dn add 6100 --type extension
expect_silent west dn add 6200 --type extension --alias "west while behind"
# retain 0: the tombstones go at once, west's position falls below the floor
wait_until "east's feed floor passes west's position $w_at" 10 eval \
    '[ "$(status_field east floor)" -gt "$w_at" ]'
api east "/v1/changes?after=$w_at"
expect_equal "west's position at east" "$code" 410
start_site west
expect_converged "after west bootstrapped" 30
expect_log west 'bootstrapping from its snapshot'
expect_log west 'bootstrapped from the snapshot of east'
expect_log east 'snapshot of [0-9]+ objects'
for n in 6001 6002 6003 6004; do
	check "$n, deleted at east, is gone at west" eval "! has \"\$W\" $n"
done
check "east's new DN is at west" has "$W" 6100
check "west's own change survived the bootstrap and reached east" \
    has "$E" 6200
expect_equal "snapshots counted" \
    "$(api west /metrics; sed -n 's/^bcsync_snapshots_total //p' "$T/stdout")" 1
expect_silent west check
expect_silent east check
stop_site west
expect_equal "west exits 0" "$stop_status" 0
stop_site east
expect_equal "east exits 0" "$stop_status" 0

finish
