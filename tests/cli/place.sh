#!/bin/sh
# place.sh -- bcadm place add/set/del/show/list, DN lists, text and JSON.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

expect_silent bcadm init --site east
expect_ok bcadm place list
expect_lines 1
expect_ok bcadm place list --format json
expect_json_eq d '[]'

place_keys="name enabled dn option"
# sorted list of "type:number" of a place's JSON dn array
dns='sorted(x["type"] + ":" + x["number"] for x in d["dn"])'

for spec in 5001:extension 5002:extension 5003:extension \
    5901:call-processing-port 5902:call-processing-port \
    5555:extension 5555:call-processing-port 5300:acd-queue \
    5400:routing-point; do
	expect_silent bcadm dn add "${spec%%:*}" --type "${spec#*:}"
done

# ---- a bare place -----------------------------------------------------------
expect_silent bcadm place add 'Sales 1'
expect_ok bcadm place show 'Sales 1'
expect_line "name: Sales 1"
expect_stdout_matches '^enabled: '
expect_no_line_matching '^dn:'
expect_no_line_matching '^option:'
grep '^enabled: ' "$T/stdout" >"$T/enabled-on"
expect_ok bcadm place show 'Sales 1' --format json
expect_json_keys d $place_keys
expect_json_eq 'd["name"]' '"Sales 1"'
expect_json_eq 'd["enabled"]' true
expect_json_eq 'd["dn"]' '[]'
expect_json_eq 'd["option"]' '{}'

# ---- every option -------------------------------------------------------------
expect_silent bcadm place add 'Sales 2' --dn 5001 --dn=5901 --disabled \
    --option TServer/dr-forward=oos --option 'Desk/floor=2 (east)'
expect_ok bcadm place show 'Sales 2'
expect_line "name: Sales 2"
expect_line "dn: extension:5001"
expect_line "dn: call-processing-port:5901"
expect_line "option: TServer/dr-forward=oos"
expect_line "option: Desk/floor=2 (east)"
grep '^enabled: ' "$T/stdout" >"$T/enabled-off"
check "text 'enabled:' differs between enabled and disabled" \
    sh -c '! cmp -s "$1" "$2"' - "$T/enabled-on" "$T/enabled-off"
expect_ok bcadm place show 'Sales 2' --format json
expect_json_keys d $place_keys
expect_json_eq 'd["enabled"]' false
expect_json_eq "$dns" '["call-processing-port:5901", "extension:5001"]'
expect_json 'all(set(x) == {"number", "type"} for x in d["dn"])'
expect_json_eq 'd["option"]' \
    '{"TServer": {"dr-forward": "oos"}, "Desk": {"floor": "2 (east)"}}'
expect_ok bcadm dn show 5001 --format json
expect_json_eq 'd["place"]' '"Sales 2"'
expect_ok bcadm dn show 5901 --format json
expect_json_eq 'd["place"]' '"Sales 2"'

# TYPE:NUMBER where the number exists as extension and port
expect_error 64 "'5555'" bcadm place add 'Sales 3' --dn 5555
expect_silent bcadm place add 'Sales 3' --dn extension:5555
expect_ok bcadm place show 'Sales 3' --format json
expect_json_eq "$dns" '["extension:5555"]'
expect_error 64 "'5555'" bcadm place set 'Sales 3' --dn 5555
expect_silent bcadm place set 'Sales 3' --dn call-processing-port:5555 --dn 5002
expect_ok bcadm place show 'Sales 3' --format json
expect_json_eq "$dns" '["call-processing-port:5555", "extension:5002"]'
expect_ok bcadm dn show 5555 --type extension --format json
expect_json_eq 'd["place"]' null

# set: --dn replaces the list, no --dn keeps it, --dn '' empties it
expect_silent bcadm place set 'Sales 2' --dn 5003
expect_ok bcadm place show 'Sales 2' --format json
expect_json_eq "$dns" '["extension:5003"]'
expect_ok bcadm dn show 5001 --format json
expect_json_eq 'd["place"]' null
expect_ok bcadm dn show 5901 --format json
expect_json_eq 'd["place"]' null
expect_silent bcadm place set 'Sales 2' --enabled --option Desk/floor=
expect_ok bcadm place show 'Sales 2' --format json
expect_json_eq "$dns" '["extension:5003"]'
expect_json_eq 'd["enabled"]' true
expect_json_eq 'd["option"]' '{"TServer": {"dr-forward": "oos"}}'
expect_silent bcadm place set 'Sales 2' --disabled --option TServer/dr-forward=off
expect_ok bcadm place show 'Sales 2' --format json
expect_json_eq 'd["enabled"]' false
expect_json_eq 'd["option"]' '{"TServer": {"dr-forward": "off"}}'
expect_silent bcadm place set 'Sales 2' --dn ''
expect_ok bcadm place show 'Sales 2' --format json
expect_json_eq 'd["dn"]' '[]'
expect_ok bcadm dn show 5003 --format json
expect_json_eq 'd["place"]' null
expect_ok bcadm place show 'Sales 2'
expect_no_line_matching '^dn:'
expect_silent bcadm place set 'Sales 2' --dn 5001 --dn call-processing-port:5902
snapshot >"$T/s1"
expect_silent bcadm place set 'Sales 2'
expect_same_store "$T/s1"

# ---- bad DN references ------------------------------------------------------
expect_error 65 "'9999'" bcadm place add 'Sales 4' --dn 9999
expect_error 65 "'5300'" bcadm place add 'Sales 4' --dn 5300
expect_error 65 "'5300'" bcadm place add 'Sales 4' --dn acd-queue:5300
expect_error 65 "'5400'" bcadm place add 'Sales 4' --dn routing-point:5400
expect_error 65 "bogus" bcadm place add 'Sales 4' --dn bogus:5001
expect_error 65 "'9999'" bcadm place set 'Sales 1' --dn 9999

# ---- list ---------------------------------------------------------------------
expect_ok bcadm place list
expect_lines 4
expect_row 'Sales 1'
expect_row 'Sales 2'
expect_row 'Sales 3'
expect_ok bcadm place list --format json
expect_json 'len(d) == 3'
expect_json 'all(set(x) == set(a) for x in d)' $place_keys
expect_json_eq 'sorted(x["type"] + ":" + x["number"] for x in find(d, "name", "Sales 2")["dn"])' \
    '["call-processing-port:5902", "extension:5001"]'
expect_json_eq 'find(d, "name", "Sales 2")["enabled"]' false
expect_json_eq 'find(d, "name", "Sales 1")["dn"]' '[]'

# ---- del ------------------------------------------------------------------------
expect_silent bcadm place del 'Sales 2'
expect_error 65 "^bcadm: place 'Sales 2' does not exist$" bcadm place show 'Sales 2'
expect_ok bcadm dn show 5001 --format json
expect_json_eq 'd["place"]' null
expect_ok bcadm dn show 5902 --format json
expect_json_eq 'd["place"]' null
expect_ok bcadm dn list --format json
expect_json 'len(d) == 9'
expect_error 65 "'Sales 2'" bcadm place del 'Sales 2'
expect_error 65 "'Sales 2'" bcadm place set 'Sales 2' --enabled
expect_error 65 "^bcadm: place 'Sales 1' already exists$" bcadm place add 'Sales 1'
expect_error 65 "place name|empty" bcadm place add ''
expect_error 64 "." bcadm place add
expect_error 64 "." bcadm place show
expect_error 64 "extra" bcadm place show 'Sales 1' extra

# a value wider than its column still leaves two spaces before the next
long='A rather long place name, wider than any column of the list'
expect_silent bcadm place add "$long" --dn 5003
expect_silent bcadm dn set 5003 --alias 'An alias that is long too'
expect_ok bcadm place list
expect_row "$long"
expect_row 'Sales 1'
expect_ok bcadm dn list
expect_row 5003 extension "$long" 'An alias that is long too'
expect_row 5001 extension

finish
