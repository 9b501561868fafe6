#!/bin/sh
# rules.sh -- every rule of the store refused with exit 65, one line on
# stderr naming the object, and the store unchanged; names of any UTF-8
# text up to 255 characters come back exactly.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

expect_silent bcadm init --site east
for spec in 5001:extension 5002:extension 5003:extension 5004:extension \
    5901:call-processing-port 6000:acd-queue 7000:routing-point \
    T1:trunk V1:voip-service; do
	expect_silent bcadm dn add "${spec%%:*}" --type "${spec#*:}"
done
expect_silent bcadm place add 'Desk A' --dn 5001
expect_silent bcadm place add 'Desk B' --dn 5002
expect_silent bcadm place add 'Desk C'
for c in 1001 1002 1003 1004; do
	expect_silent bcadm login add $c
done
expect_silent bcadm person add ann --agent --login 1001:30 --place 'Desk A'
expect_silent bcadm person add bob
expect_silent bcadm person add cat --agent --login 1002 --place 'Desk B'

# ---- duplicates -------------------------------------------------------------
expect_error 65 "^bcadm: dn '5001' \(extension\) already exists$" \
    bcadm dn add 5001 --type extension
expect_error 65 "'6000'.*exist" bcadm dn add 6000 --type acd-queue
expect_error 65 "^bcadm: place 'Desk A' already exists$" bcadm place add 'Desk A'
expect_error 65 "'ann'.*exist" bcadm person add ann
expect_error 65 "'1001'.*exist" bcadm login add 1001

# ---- references to objects that do not exist -------------------------------
expect_error 65 "^bcadm: place 'Nowhere' does not exist$" \
    bcadm dn add 5010 --type extension --place Nowhere
expect_error 65 "'Nowhere'" bcadm dn set 5003 --place Nowhere
expect_error 65 "'Nowhere'" bcadm dn set 5003 --alias changed --place Nowhere
expect_error 65 "'9999'" bcadm place add 'Desk D' --dn 9999
expect_error 65 "'9999'" bcadm place set 'Desk C' --dn 5003 --dn 9999
expect_error 65 "'Nowhere'" bcadm person add dan --place Nowhere
expect_error 65 "'Nowhere'" bcadm person set bob --place Nowhere
expect_error 65 "'9999'" bcadm person add dan --agent --login 9999
expect_error 65 "'9999'" bcadm person set ann --login 1001 --login 9999:5

# ---- what a place may hold ------------------------------------------------------
expect_error 65 "'6000'" bcadm dn set 6000 --place 'Desk C'
expect_error 65 "'6001'|acd-queue" bcadm dn add 6001 --type acd-queue --place 'Desk C'
expect_error 65 "'6000'" bcadm place set 'Desk C' --dn acd-queue:6000
expect_error 65 "'6000'" bcadm place add 'Desk D' --dn acd-queue:6000
expect_error 65 "'7000'" bcadm dn set 7000 --place 'Desk C'
expect_error 65 "'T1'" bcadm dn set T1 --place 'Desk C'
expect_error 65 "'V1'" bcadm dn set V1 --place 'Desk C'
expect_error 65 "'7000'" bcadm place set 'Desk C' --dn routing-point:7000
expect_error 65 "'T1'" bcadm place set 'Desk C' --dn trunk:T1
expect_error 65 "'V1'" bcadm place set 'Desk C' --dn voip-service:V1

# at most one extension per place
expect_error 65 "'5003'|'Desk A'" bcadm dn set 5003 --place 'Desk A'
expect_error 65 "'5010'|'Desk A'" bcadm dn add 5010 --type extension --place 'Desk A'
expect_error 65 "'Desk A'|'5003'" bcadm place set 'Desk A' --dn 5001 --dn 5003
expect_error 65 "'Desk C'|'500[34]'" bcadm place set 'Desk C' --dn 5003 --dn 5004
expect_error 65 "'Desk D'|'500[34]'" bcadm place add 'Desk D' --dn 5003 --dn 5004
# ... while a call processing port may join an extension
expect_silent bcadm dn set 5901 --place 'Desk A'
expect_silent bcadm dn set 5901 --place ''

# a DN in at most one place
expect_error 65 "'5001'" bcadm place set 'Desk C' --dn 5001
expect_error 65 "'5001'" bcadm place set 'Desk B' --dn 5001
expect_error 65 "'5001'" bcadm place add 'Desk D' --dn 5001
expect_error 65 "'5001'" bcadm place add 'Desk D' --dn 5901 --dn 5001
# moving it with dn set is the way
expect_silent bcadm place add 'Desk D'
expect_silent bcadm dn set 5004 --place 'Desk D'
expect_silent bcadm dn set 5004 --place 'Desk C'
expect_ok bcadm place show 'Desk D' --format json
expect_json_eq 'd["dn"]' '[]'
expect_ok bcadm place show 'Desk C' --format json
expect_json_eq 'd["dn"]' '[{"number": "5004", "type": "extension"}]'

# ---- logins -----------------------------------------------------------------------
# held by at most one person
expect_error 65 "'1001'" bcadm person add dan --agent --login 1001
expect_error 65 "'1001'" bcadm person add dan --agent --login 1003 --login 1001
expect_error 65 "'1001'" bcadm person set cat --login 1001
expect_error 65 "'1002'" bcadm person set cat --login 1002 --login 1002:5
# only agents hold logins
expect_error 65 "'bob'" bcadm person set bob --login 1003
expect_error 65 "'eve'" bcadm person add eve --login 1003
# the agent flag never changes
expect_error 65 "^bcadm: person 'bob': agent flag cannot change after creation$" \
    bcadm person set bob --agent
expect_error 65 "^bcadm: person 'bob': agent flag cannot change after creation$" \
    bcadm person set bob --agent --first Bob
# a held login cannot be deleted
expect_error 65 "'1001'" bcadm login del 1001
# a default place cannot be deleted
expect_error 65 "'Desk A'" bcadm place del 'Desk A'
expect_error 65 "'Desk B'" bcadm place del 'Desk B'

# bad wrap-up times
for w in 86401 -1 abc '' 1.5 30x 99999999999999999999; do
	expect_error 65 "1003|wrap" bcadm person set ann --login "1003:$w"
done
expect_error 65 "1003|wrap" bcadm person add dan --agent --login 1003:86401
expect_silent bcadm person set ann --login 1001:86400
expect_silent bcadm person set ann --login 1001:0

# ---- unknown types and bad values ----------------------------------------------
expect_error 65 "bogus" bcadm dn add 5010 --type bogus
expect_error 65 "Extension" bcadm dn add 5010 --type Extension --alias x
expect_error 65 "bogus" bcadm place set 'Desk C' --dn bogus:5004
expect_error 65 "maybe|register" bcadm dn set 5003 --register maybe

# ---- names: length counted in characters -----------------------------------------
n255=$(repeat 255 n)
n256=$(repeat 256 n)
u255=$(repeat 255 ä)
u256=$(repeat 256 ä)
expect_error 65 "^bcadm: place name '.*' is longer than 255 characters$" \
    bcadm place add "$n256"
expect_error 65 "^bcadm: place name '.*' is longer than 255 characters$" \
    bcadm place add "$u256"
expect_silent bcadm place add "$n255"
expect_silent bcadm place add "$u255"
expect_ok bcadm place show "$u255" --format json
expect_json 'd["name"] == a[0] and len(d["name"]) == 255' "$u255"
expect_error 65 "user ?name.*longer than 255" bcadm person add "$n256"
expect_silent bcadm person add "$u255"
expect_ok bcadm person show "$u255" --format json
expect_json 'd["username"] == a[0]' "$u255"
expect_error 65 "alias.*longer than 255" bcadm dn set 5003 --alias "$u256"
expect_silent bcadm dn set 5003 --alias "$u255"
expect_error 65 "first.*longer than 255" bcadm person set bob --first "$n256"
expect_error 65 "last.*longer than 255" bcadm person set bob --last "$u256"
expect_error 65 "employee.*longer than 255" bcadm person set bob --employee-id "$n256"
expect_error 65 "site.*longer than 255" bcadm person set bob --preferred-site "$n256"
expect_silent bcadm person set bob --first "$u255" --last "$n255" \
    --employee-id "$n255" --preferred-site "$u255"
expect_ok bcadm person show bob --format json
expect_json 'd["first"] == a[0] and d["preferred-site"] == a[0] and d["last"] == a[1]' \
    "$u255" "$n255"
expect_error 65 "section.*longer than 255|longer than 255.*section" \
    bcadm dn set 5003 --option "$n256/k=v"
expect_error 65 "key.*longer than 255|longer than 255.*key" \
    bcadm dn set 5003 --option "S/$n256=v"
expect_silent bcadm dn set 5003 --option "$u255/$u255=v"

# invalid UTF-8 and control characters
bad=$(printf 'caf\351')
expect_error 65 "place name.*UTF-8|UTF-8.*place name" bcadm place add "$bad"
expect_error 65 "place name" bcadm place add "$(printf 'a\tb')"
expect_error 65 "place name" bcadm place add "$(printf 'a\nb')"
expect_error 65 "alias" bcadm dn set 5003 --alias "$(printf 'x\033[31m')"
expect_error 65 "user ?name" bcadm person add "$bad"
expect_error 65 "first" bcadm person set bob --first "$(printf 'a\rb')"
expect_error 65 "option|UTF-8" bcadm login set 1003 --option "S/k=$bad"

# ---- quotes, spaces and non-ASCII come back exactly --------------------------
P=$(printf '%s' "Dépôt \"Nord\" l'été 東京  x")
U=$(printf '%s' "José \"Pepe\" O'Brien-Ñúñez")
A=$(printf '%s' "Ålias 'single' \"double\" \\ back")
F=$(printf '%s' "Zoë")
L=$(printf '%s' "D'Artagnan \"Jr\"")
O=$(printf '%s' "välue \"q\" 'q' ☎")
expect_silent bcadm place add "$P" --dn 5003 --option "Sëction/kéy=$O"
expect_silent bcadm dn set 5003 --alias "$A"
expect_silent bcadm person add "$U" --first "$F" --last "$L" \
    --employee-id "$F" --preferred-site "$P" --agent --login 1004:7 \
    --place "$P"
expect_ok bcadm place show "$P"
expect_line "name: $P"
expect_line "dn: extension:5003"
expect_line "option: Sëction/kéy=$O"
expect_ok bcadm place show "$P" --format json
expect_json 'd["name"] == a[0] and d["option"] == {"Sëction": {"kéy": a[1]}}' "$P" "$O"
expect_ok bcadm dn show 5003
expect_line "alias: $A"
expect_line "place: $P"
expect_ok bcadm dn show 5003 --format json
expect_json 'd["alias"] == a[0] and d["place"] == a[1]' "$A" "$P"
expect_ok bcadm person show "$U"
expect_line "username: $U"
expect_line "first: $F"
expect_line "last: $L"
expect_line "employee-id: $F"
expect_line "preferred-site: $P"
expect_line "place: $P"
expect_line "login: 1004:7"
expect_ok bcadm person show "$U" --format json
expect_json 'd["username"] == a[0] and d["first"] == a[1] and d["last"] == a[2] and d["employee-id"] == a[1] and d["preferred-site"] == a[3] and d["place"] == a[3]' \
    "$U" "$F" "$L" "$P"
expect_ok bcadm login show 1004 --format json
expect_json 'd["person"] == a[0]' "$U"
expect_ok bcadm login show 1004
expect_line "person: $U"
expect_ok bcadm person list --format json
expect_json 'find(d, "username", a[0]) is not None' "$U"
expect_ok bcadm place list --format json
expect_json 'find(d, "name", a[0]) is not None' "$P"
expect_ok bcadm person list
expect_row "$U"
expect_ok bcadm dn list --place "$P" --format json
expect_json 'len(d) == 1 and d[0]["number"] == "5003"'
expect_error 65 "'Dépôt \"Nord\" l'été 東京  x'" bcadm place del "$P"
check "names are stored byte for byte" \
    test "$(sql "SELECT username FROM person WHERE username LIKE 'Jos%'")" = "$U"

finish
