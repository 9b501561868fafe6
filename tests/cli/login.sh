#!/bin/sh
# login.sh -- bcadm login add/set/del/show/list, text and JSON.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

expect_silent bcadm init --site east
expect_ok bcadm login list
expect_lines 1
expect_ok bcadm login list --format json
expect_json_eq d '[]'

login_keys="code password override use-override enabled option person"

# ---- defaults -----------------------------------------------------------------
expect_silent bcadm login add 1001
expect_ok bcadm login show 1001
expect_line "code: 1001"
expect_line "password: "
expect_line "override: "
expect_line "person: "
expect_stdout_matches '^use-override: '
expect_stdout_matches '^enabled: '
expect_no_line_matching '^option:'
grep '^enabled: ' "$T/stdout" >"$T/enabled-on"
grep '^use-override: ' "$T/stdout" >"$T/uo-off"
expect_ok bcadm login show 1001 --format json
expect_json_keys d $login_keys
expect_json_eq 'd["code"]' '"1001"'
expect_json_eq 'd["password"]' null
expect_json_eq 'd["override"]' null
expect_json_eq 'd["use-override"]' false
expect_json_eq 'd["enabled"]' true
expect_json_eq 'd["option"]' '{}'
expect_json_eq 'd["person"]' null

# ---- every option -------------------------------------------------------
expect_silent bcadm login add 2001 --password 'pw x!' --override 777 \
    --use-override --disabled --option TServer/login-type=agent \
    --option=Annex/note=a=b
expect_ok bcadm login show 2001
expect_line "code: 2001"
expect_line "password: ********"
expect_line "override: 777"
expect_line "option: TServer/login-type=agent"
expect_line "option: Annex/note=a=b"
expect_stdout_lacks 'pw x'
grep '^enabled: ' "$T/stdout" >"$T/enabled-off"
grep '^use-override: ' "$T/stdout" >"$T/uo-on"
check "text 'enabled:' differs between enabled and disabled" \
    sh -c '! cmp -s "$1" "$2"' - "$T/enabled-on" "$T/enabled-off"
check "text 'use-override:' differs between on and off" \
    sh -c '! cmp -s "$1" "$2"' - "$T/uo-on" "$T/uo-off"
expect_ok bcadm login show 2001 --format json
expect_json_keys d $login_keys
expect_json_eq 'd["password"]' '"********"'
expect_json_eq 'd["override"]' '"777"'
expect_json_eq 'd["use-override"]' true
expect_json_eq 'd["enabled"]' false
expect_json_eq 'd["option"]' \
    '{"TServer": {"login-type": "agent"}, "Annex": {"note": "a=b"}}'
expect_stdout_lacks 'pw x'
check "the password is stored as given" \
    test "$(sql "SELECT password FROM agent_login WHERE code = '2001'")" = 'pw x!'

# ---- set ------------------------------------------------------------------------
expect_silent bcadm login set 2001 --no-use-override --enabled
expect_ok bcadm login show 2001 --format json
expect_json_eq 'd["use-override"]' false
expect_json_eq 'd["enabled"]' true
expect_json_eq 'd["override"]' '"777"'
expect_json_eq 'd["password"]' '"********"'
expect_silent bcadm login set 2001 --use-override --disabled --override 778 \
    --password other --option TServer/login-type= --option Annex/note=changed
expect_ok bcadm login show 2001 --format json
expect_json_eq 'd["use-override"]' true
expect_json_eq 'd["enabled"]' false
expect_json_eq 'd["override"]' '"778"'
expect_json_eq 'd["option"]' '{"Annex": {"note": "changed"}}'
check "set --password stores the new password" \
    test "$(sql "SELECT password FROM agent_login WHERE code = '2001'")" = other
expect_silent bcadm login set 2001 --password '' --override ''
expect_ok bcadm login show 2001 --format json
expect_json_eq 'd["password"]' null
expect_json_eq 'd["override"]' null
expect_json_eq 'd["use-override"]' true
expect_ok bcadm login show 2001
expect_line "password: "
expect_line "override: "
snapshot >"$T/s1"
expect_silent bcadm login set 2001
expect_same_store "$T/s1"

# ---- the holder -------------------------------------------------------------
expect_silent bcadm login add 3001
expect_silent bcadm dn add 5001 --type extension
expect_silent bcadm place add Desk --dn 5001
expect_silent bcadm person add ann --agent --login 3001:45 --place Desk
expect_ok bcadm login show 3001
expect_line "person: ann"
expect_stdout_lacks "45"
expect_ok bcadm login show 3001 --format json
expect_json_eq 'd["person"]' '"ann"'
expect_json_keys d $login_keys

# ---- codes ------------------------------------------------------------------------
expect_silent bcadm login add '#*!+x.y_z-1'
expect_ok bcadm login show '#*!+x.y_z-1' --format json
expect_json_eq 'd["code"]' '"#*!+x.y_z-1"'
c255=$(repeat 255 7)
expect_silent bcadm login add "$c255"
expect_ok bcadm login show "$c255" --format json
expect_json 'd["code"] == a[0]' "$c255"
expect_error 65 "code" bcadm login add "$(repeat 256 7)"
expect_error 65 "'a b'|code" bcadm login add 'a b'
expect_error 65 "'a:b'|code" bcadm login add 'a:b'
expect_error 65 "code" bcadm login add "$(printf 'a\tb')"
expect_error 65 "code|empty" bcadm login add ''
expect_error 65 "^bcadm: .*'1001'.*exist" bcadm login add 1001

# ---- list -----------------------------------------------------------------------
expect_ok bcadm login list
expect_lines 6
expect_row 1001
expect_row 2001
expect_row 3001
expect_ok bcadm login list --format json
expect_json 'len(d) == 5'
expect_json 'all(set(x) == set(a) for x in d)' $login_keys
expect_json_eq 'find(d, "code", "3001")["person"]' '"ann"'
expect_json_eq 'find(d, "code", "1001")["person"]' null
expect_json_eq 'find(d, "code", "2001")["use-override"]' true

# ---- del ----------------------------------------------------------------------------
expect_silent bcadm login del 2001
expect_error 65 "^bcadm: .*'2001'.*does not exist" bcadm login show 2001
expect_error 65 "'2001'" bcadm login del 2001
expect_error 65 "'2001'" bcadm login set 2001 --enabled
expect_error 64 "." bcadm login add
expect_error 64 "extra" bcadm login del 1001 extra
expect_ok bcadm login list --format json
expect_json 'len(d) == 4'

finish
