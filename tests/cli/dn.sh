#!/bin/sh
# dn.sh -- bcadm dn add/set/del/show/list, every type and every option,
# text and JSON output.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

expect_silent bcadm init --site east

# ---- empty store ---------------------------------------------------------
expect_ok bcadm dn list
expect_lines 1
expect_ok bcadm dn list --format json
expect_json_eq d '[]'
expect_ok bcadm --format json dn list
expect_json_eq d '[]'

dn_keys="number type alias register association contact password enabled place option"

# ---- every type: add, show, set, list, del with defaults ----------------
n=5100
for type in extension acd-queue call-processing-port routing-point trunk \
    voip-service; do
	n=$((n + 1))
	expect_silent bcadm dn add $n --type $type

	# --type omitted: the number is unique
	expect_ok bcadm dn show $n
	expect_line "number: $n"
	expect_line "type: $type"
	expect_line "alias: "
	expect_line "register: true"
	expect_line "association: "
	expect_line "contact: "
	expect_line "password: "
	expect_line "place: "
	expect_stdout_matches '^enabled: '
	expect_no_line_matching '^option:'

	expect_ok bcadm dn show $n --type $type --format json
	expect_json_keys d $dn_keys
	expect_json_eq 'd["number"]' "\"$n\""
	expect_json_eq 'd["type"]' "\"$type\""
	expect_json_eq 'd["alias"]' null
	expect_json_eq 'd["register"]' '"true"'
	expect_json_eq 'd["association"]' null
	expect_json_eq 'd["contact"]' null
	expect_json_eq 'd["password"]' null
	expect_json_eq 'd["enabled"]' true
	expect_json_eq 'd["place"]' null
	expect_json_eq 'd["option"]' '{}'

	expect_silent bcadm dn set $n --alias "alias of $type" --disabled
	expect_ok bcadm --format=json dn show $n
	expect_json_eq 'd["alias"]' "\"alias of $type\""
	expect_json_eq 'd["enabled"]' false
	expect_json_eq 'd["type"]' "\"$type\""
	expect_silent bcadm dn set $n --type $type --enabled
	expect_ok bcadm dn show $n --format json
	expect_json_eq 'd["enabled"]' true

	expect_ok bcadm dn list --type $type
	expect_lines 2
	expect_row $n $type
	expect_ok bcadm dn list --type $type --format json
	expect_json 'len(d) == 1 and d[0]["number"] == a[0] and d[0]["type"] == a[1]' $n $type
	expect_json_keys 'd[0]' $dn_keys

	expect_silent bcadm dn del $n
	expect_error 65 "'$n'" bcadm dn show $n
	expect_error 65 "'$n'" bcadm dn del $n
	expect_error 65 "'$n'" bcadm dn set $n --alias x
done
expect_ok bcadm dn list --format json
expect_json_eq d '[]'

# ---- every option ---------------------------------------------------------
expect_silent bcadm place add P1
expect_silent bcadm place add P2
expect_silent bcadm dn add 6001 --type extension --place P1 \
    --alias 'Desk 6001' --register on-demand --association 'port 7' \
    --contact 'sip:6001@10.0.0.1:5060' --password 's3cret!' --disabled \
    --option TServer/dr-forward=no-agent --option=TServer/oos-check=5 \
    --option 'Annex/uri=sip:a=b/c'
expect_ok bcadm dn show 6001
expect_line "number: 6001"
expect_line "type: extension"
expect_line "alias: Desk 6001"
expect_line "register: on-demand"
expect_line "association: port 7"
expect_line "contact: sip:6001@10.0.0.1:5060"
expect_line "password: ********"
expect_line "place: P1"
expect_line "option: TServer/dr-forward=no-agent"
expect_line "option: TServer/oos-check=5"
expect_line "option: Annex/uri=sip:a=b/c"
expect_stdout_lacks 's3cret'
grep '^enabled: ' "$T/stdout" >"$T/enabled-off"

expect_ok bcadm dn show 6001 --format json
expect_json_keys d $dn_keys
expect_json_eq 'd["number"]' '"6001"'
expect_json_eq 'd["type"]' '"extension"'
expect_json_eq 'd["alias"]' '"Desk 6001"'
expect_json_eq 'd["register"]' '"on-demand"'
expect_json_eq 'd["association"]' '"port 7"'
expect_json_eq 'd["contact"]' '"sip:6001@10.0.0.1:5060"'
expect_json_eq 'd["password"]' '"********"'
expect_json_eq 'd["enabled"]' false
expect_json_eq 'd["place"]' '"P1"'
expect_json_eq 'd["option"]' \
    '{"TServer": {"dr-forward": "no-agent", "oos-check": "5"}, "Annex": {"uri": "sip:a=b/c"}}'
expect_stdout_lacks 's3cret'

# --enabled; the enabled line changes
expect_silent bcadm dn set 6001 --enabled
expect_ok bcadm dn show 6001
grep '^enabled: ' "$T/stdout" >"$T/enabled-on"
check "text 'enabled:' differs between enabled and disabled" \
    sh -c '! cmp -s "$1" "$2"' - "$T/enabled-on" "$T/enabled-off"

# --register values
for r in false true on-demand; do
	expect_silent bcadm dn set 6001 --register $r
	expect_ok bcadm dn show 6001 --format json
	expect_json_eq 'd["register"]' "\"$r\""
	expect_ok bcadm dn show 6001
	expect_line "register: $r"
done
expect_error 65 "6001|register|maybe" bcadm dn set 6001 --register maybe
expect_error 65 "register|maybe" bcadm dn add 6002 --type extension --register maybe
expect_ok bcadm dn add 6003 --type acd-queue --register false
expect_ok bcadm dn show 6003 --format json
expect_json_eq 'd["register"]' '"false"'

# --option: change, add a section, remove a key
expect_silent bcadm dn set 6001 --option TServer/dr-forward=oos \
    --option Other/x=1 --option TServer/oos-check=
expect_ok bcadm dn show 6001 --format json
expect_json_eq 'd["option"]' \
    '{"TServer": {"dr-forward": "oos"}, "Annex": {"uri": "sip:a=b/c"}, "Other": {"x": "1"}}'
expect_ok bcadm dn show 6001
expect_line "option: TServer/dr-forward=oos"
expect_line "option: Other/x=1"
expect_stdout_lacks "oos-check"
# removing the last key of a section removes the section
expect_silent bcadm dn set 6001 --option Other/x= --option Annex/uri=
expect_ok bcadm dn show 6001 --format json
expect_json_eq 'd["option"]' '{"TServer": {"dr-forward": "oos"}}'
# removing a key that is not there
expect_ok bcadm dn set 6001 --option Nothing/here=
expect_ok bcadm dn show 6001 --format json
expect_json_eq 'd["option"]' '{"TServer": {"dr-forward": "oos"}}'
# malformed options
expect_error 65 "noslash" bcadm dn set 6001 --option noslash=1
expect_error 65 "TServer/noequals|noequals" bcadm dn set 6001 --option TServer/noequals
expect_error 65 "option" bcadm dn set 6001 --option /key=v
expect_error 65 "option" bcadm dn set 6001 --option TServer/=v
# option values up to 4096 characters
v4096=$(repeat 4096 v)
expect_silent bcadm dn set 6001 --option "Big/v=$v4096"
expect_ok bcadm dn show 6001 --format json
expect_json 'len(d["option"]["Big"]["v"]) == 4096'
expect_error 65 "4096|long" bcadm dn set 6001 --option "Big/v=${v4096}v"
expect_silent bcadm dn set 6001 --option Big/v=

# --place moves, '' clears; the other fields clear with ''
expect_silent bcadm dn set 6001 --place P2
expect_ok bcadm dn show 6001 --format json
expect_json_eq 'd["place"]' '"P2"'
expect_ok bcadm place show P2 --format json
expect_json 'd["dn"] == [{"number": "6001", "type": "extension"}]'
expect_ok bcadm place show P1 --format json
expect_json 'd["dn"] == []'
expect_silent bcadm dn set 6001 --place '' --alias '' --association '' \
    --contact '' --password ''
expect_ok bcadm dn show 6001 --format json
expect_json_eq 'd["place"]' null
expect_json_eq 'd["alias"]' null
expect_json_eq 'd["association"]' null
expect_json_eq 'd["contact"]' null
expect_json_eq 'd["password"]' null
expect_json_eq 'd["register"]' '"on-demand"'
expect_json_eq 'd["option"]' '{"TServer": {"dr-forward": "oos"}}'
expect_ok bcadm dn show 6001
expect_line "place: "
expect_line "alias: "
expect_line "password: "
# set with no option changes nothing
snapshot >"$T/s1"
expect_silent bcadm dn set 6001
expect_same_store "$T/s1"

# a call processing port with a contact in a place
expect_silent bcadm dn add 6100 --type call-processing-port --place P1 \
    --contact 'sip:ivr@10.0.0.9'
expect_ok bcadm dn show 6100 --format json
expect_json_eq 'd["place"]' '"P1"'
expect_json_eq 'd["contact"]' '"sip:ivr@10.0.0.9"'
# a trunk pointing at the peer
expect_silent bcadm dn add to-west --type trunk --contact 'sip:west.example:5060' \
    --option TServer/oos-check=10 --option TServer/oos-force=30

# ---- --type omitted when unique, given when ambiguous -------------------
expect_silent bcadm dn add 7000 --type extension
expect_silent bcadm dn add 7000 --type acd-queue
expect_error 64 "^bcadm: dn '7000' exists as acd-queue and extension; give its type$" \
    bcadm dn show 7000
expect_error 64 "'7000'" bcadm dn set 7000 --alias x
expect_error 64 "'7000'" bcadm dn del 7000
expect_error 64 "'7000'" bcadm dn show 7000 --format json
expect_ok bcadm dn show 7000 --type acd-queue --format json
expect_json_eq 'd["type"]' '"acd-queue"'
expect_silent bcadm dn set 7000 --type acd-queue --alias Queue
expect_ok bcadm dn show 7000 --type extension --format json
expect_json_eq 'd["alias"]' null
expect_silent bcadm dn del 7000 --type extension
expect_ok bcadm dn show 7000
expect_line "type: acd-queue"
expect_line "alias: Queue"
# --type on set/show/del names the DN, it never changes its type
expect_error 65 "'7000'" bcadm dn set 7000 --type extension --alias x
expect_error 65 "'7000'" bcadm dn del 7000 --type routing-point
expect_error 65 "'7000'" bcadm dn show 7000 --type trunk
expect_error 65 "bogus" bcadm dn show 7000 --type bogus

# ---- numbers --------------------------------------------------------------
expect_silent bcadm dn add '*55#+1.2_3-x' --type routing-point
expect_ok bcadm dn show '*55#+1.2_3-x' --format json
expect_json_eq 'd["number"]' '"*55#+1.2_3-x"'
expect_silent bcadm dn add --type extension -- -8000
expect_ok bcadm dn show -- -8000
expect_line "number: -8000"
n255=$(repeat 255 9)
expect_silent bcadm dn add "$n255" --type extension
expect_ok bcadm dn show "$n255" --format json
expect_json 'd["number"] == a[0]' "$n255"
expect_error 65 "dn number" bcadm dn add "$(repeat 256 9)" --type extension
expect_error 65 "'70 01'" bcadm dn add '70 01' --type extension
expect_error 65 "'70!'" bcadm dn add '70!' --type extension
expect_error 65 "'7ä'" bcadm dn add '7ä' --type extension
expect_error 65 "dn number|empty" bcadm dn add '' --type extension

# ---- list: all, filters, JSON ---------------------------------------------
expect_ok bcadm dn list
expect_row 6001 extension
expect_row 6003 acd-queue
expect_row 6100 call-processing-port
expect_row to-west trunk
expect_row 7000 acd-queue
expect_stdout_lacks 's3cret'
ndn=$(sql 'SELECT count(*) FROM dn')
expect_lines $((ndn + 1))

expect_ok bcadm dn list --format json
expect_json 'isinstance(d, list) and len(d) == int(a[0])' "$ndn"
expect_json 'all(set(x) == set(a) for x in d)' $dn_keys
expect_json_eq 'find(d, "number", "6100")["place"]' '"P1"'
expect_json_eq 'find(d, "number", "to-west")["option"]' \
    '{"TServer": {"oos-check": "10", "oos-force": "30"}}'
expect_json_eq 'find(d, "number", "to-west")["contact"]' '"sip:west.example:5060"'

expect_ok bcadm dn list --place P1
expect_lines 2
expect_row 6100
expect_ok bcadm dn list --place P1 --format json
expect_json 'd == [x for x in d if x["place"] == "P1"] and len(d) == 1'
expect_ok bcadm dn list --type extension --format json
expect_json 'len(d) >= 3 and all(x["type"] == "extension" for x in d)'
expect_ok bcadm dn list --type call-processing-port --place P1 --format json
expect_json 'len(d) == 1 and d[0]["number"] == "6100"'
expect_ok bcadm dn list --type trunk --place P1 --format json
expect_json_eq d '[]'
expect_error 65 "'Nowhere'" bcadm dn list --place Nowhere
expect_error 65 "bogus" bcadm dn list --type bogus

# ---- missing pieces -------------------------------------------------------
expect_error 64 "type" bcadm dn add 9000
expect_error 64 "." bcadm dn add
expect_error 64 "." bcadm dn add 9000 --type
expect_error 65 "bogus" bcadm dn add 9000 --type bogus
expect_error 65 "'Nowhere'" bcadm dn add 9000 --type extension --place Nowhere
expect_error 65 "'Nowhere'" bcadm dn set 6001 --place Nowhere

finish
