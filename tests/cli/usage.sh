#!/bin/sh
# usage.sh -- usage errors (64), command prefixes, help, -h on every
# command, --version.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

expect_silent bcadm init --site east
expect_silent bcadm dn add 5001 --type extension
expect_silent bcadm place add P
expect_silent bcadm login add 1001
expect_silent bcadm person add ann

# every command of the spec: "WORDS|SYNOPSIS START"
commands='init|init --site NAME
dn add|dn add NUMBER --type TYPE
dn set|dn set NUMBER
dn del|dn del NUMBER
dn show|dn show NUMBER
dn list|dn list
place add|place add NAME
place set|place set NAME
place del|place del NAME
place show|place show NAME
place list|place list
person add|person add USERNAME
person set|person set USERNAME
person del|person del USERNAME
person show|person show USERNAME
person list|person list
login add|login add CODE
login set|login set CODE
login del|login del CODE
login show|login show CODE
login list|login list
check|check'

# ---- usage errors ---------------------------------------------------------------
expect_error 64 "." bcadm
expect_error 64 "'frob'" bcadm frob
expect_error 64 "'(dn )?frob'" bcadm dn frob
expect_error 64 "'(dn )?frob'" bcadm dn frob 5001
expect_error 64 "." bcadm dn
expect_error 64 "'--frob'|frob" bcadm dn list --frob
expect_error 64 "'--frob'|frob" bcadm --frob dn list
expect_error 64 "'-x'|-x" bcadm dn add 5002 --type extension -x
expect_error 64 "'-Q'|-Q" bcadm -Q dn list
# options of another command
expect_error 64 "alias" bcadm dn list --alias x
expect_error 64 "agent" bcadm login add 1002 --agent
expect_error 64 "enabled" bcadm dn add 5002 --type extension --enabled
expect_error 64 "disabled" bcadm dn show 5001 --disabled
expect_error 64 "no-use-override" bcadm login add 1002 --no-use-override
expect_error 64 "dn" bcadm person add bob --dn 5001
# contradicting options
expect_error 64 "enabled|disabled" bcadm dn set 5001 --enabled --disabled
expect_error 64 "enabled|disabled" bcadm place set P --disabled --enabled
expect_error 64 "use-override" bcadm login set 1001 --use-override --no-use-override
# missing arguments and option values
expect_error 64 "." bcadm dn show
expect_error 64 "." bcadm dn add --type extension
expect_error 64 "type" bcadm dn add 5002
expect_error 64 "type" bcadm dn list --type
expect_error 64 "format" bcadm place list --format
expect_error 64 "." bcadm person show
expect_error 64 "." bcadm login del
expect_error 64 "." bcadm place set
# extra arguments
expect_error 64 "extra" bcadm dn list extra
expect_error 64 "extra" bcadm check extra
expect_error 64 "5002" bcadm dn show 5001 5002
expect_error 64 "extra" bcadm place list extra
expect_error 64 "extra" bcadm person del ann extra
expect_error 64 "extra" bcadm login show 1001 extra
# bad --format
expect_error 64 "'xml'" bcadm --format xml dn list
expect_error 64 "'yaml'" bcadm dn list --format yaml
expect_error 64 "'JSON'" bcadm dn list --format=JSON
expect_error 64 "format" bcadm dn list --format
expect_error 64 "'xml'" bcadm --format xml dn add 5002 --type extension
# ambiguous prefixes
expect_error 64 "'p'" bcadm p list
expect_error 64 "'(dn )?s'" bcadm dn s 5001
expect_error 64 "'pe'|'p'" bcadm p show ann
expect_error 64 "'(person )?s'" bcadm person s ann
# usage errors win over a missing store
STORE=$T/missing.db
expect_error 64 "'frob'" bcadm frob
expect_error 64 "extra" bcadm dn list extra
STORE=$T/store.db

# ---- --opt=VALUE, --, mixed order --------------------------------------------
expect_silent bcadm dn add --type=extension 5002
expect_silent bcadm dn add --type extension -- -5003
expect_ok bcadm dn show -- -5003
expect_line "number: -5003"
expect_silent bcadm dn set --alias=a 5002
expect_ok bcadm --format=json dn show 5002
expect_json_eq 'd["alias"]' '"a"'

# ---- unique prefixes ------------------------------------------------------------
run bcadm dn list
cp "$T/stdout" "$T/dn-list"
expect_ok bcadm dn l
check "'dn l' prints what 'dn list' prints" cmp -s "$T/stdout" "$T/dn-list"
expect_ok bcadm dn li
check "'dn li' prints what 'dn list' prints" cmp -s "$T/stdout" "$T/dn-list"
expect_error 64 "^bcadm: ambiguous command 'd'$" bcadm d l
expect_ok bcadm dn sh 5001
expect_line "number: 5001"
expect_ok bcadm pl li
expect_row P
expect_ok bcadm pe sh ann
expect_line "username: ann"
expect_ok bcadm lo l --format json
expect_json 'len(d) == 1 and d[0]["code"] == "1001"'
expect_ok bcadm ch
expect_silent bcadm dn se 5001 --alias x
expect_silent bcadm dn a 5004 --type extension
expect_silent bcadm dn de 5004
expect_ok bcadm he dn add
expect_stdout_contains "bcadm dn add"

# ---- help -------------------------------------------------------------------------
# help and -h need no store
expect_ok "$BCADM" help
cp "$T/stdout" "$T/help"
expect_stdout_matches '^(usage: |Usage: )?bcadm \[-c CONFIG\] \[-s STORE\] \[--format text\|json\]'
printf '%s\n' "$commands" | while IFS='|' read -r words syn; do
	if grep -q "^bcadm $syn" "$T/help"; then
		echo pass
	else
		echo "fail bcadm help has no line starting 'bcadm $syn'"
	fi
done >"$T/results"
while read -r r msg; do
	if [ "$r" = pass ]; then pass; else fail "$msg"; fi
done <"$T/results"
check "every line after the first starts with 'bcadm '" \
    sh -c 'sed 1d "$1" | grep -v "^bcadm " | grep -q . && exit 1 || exit 0' - "$T/help"
expect_ok "$BCADM" --help
check "--help prints the global usage" grep -Eq 'bcadm \[-c CONFIG\]' "$T/stdout"
expect_ok "$BCADM" -h
check "-h prints the global usage" grep -Eq 'bcadm \[-c CONFIG\]' "$T/stdout"
expect_error 64 "'frob'" "$BCADM" help frob

# -h, --help and help WORDS for every command; the synopsis is the one of
# bcadm help; no store is needed nor touched
STORE=$T/never.db
printf '%s\n' "$commands" >"$T/commands"
while IFS='|' read -r words syn; do
	# shellcheck disable=SC2086
	for how in "-h" "--help" "help"; do
		if [ "$how" = help ]; then
			run "$BCADM" -s "$STORE" help $words
		else
			run "$BCADM" -s "$STORE" $words $how
		fi
		check_status 0
		expect_stderr_empty
		line=$(grep "^bcadm $syn" "$T/stdout" | head -n 1)
		if [ -n "$line" ] && grep -Fxq -- "$line" "$T/help"; then
			pass
		else
			fail "'$words' $how: no synopsis line 'bcadm $syn...' as in bcadm help"
		fi
		n=$(grep -c . "$T/stdout")
		if [ "$n" -ge 2 ]; then
			pass
		else
			fail "'$words' $how: no one-line summary after the synopsis"
		fi
	done
	# -h wins over a wrong number of arguments
	run "$BCADM" -s "$STORE" $words -h extra
	check_status 0
done <"$T/commands"
check "-h and help created no store" test ! -e "$STORE"
STORE=$T/store.db
expect_ok "$BCADM" help check
expect_stdout_contains "bcadm check"
expect_ok "$BCADM" check --help --format json

# ---- --version -------------------------------------------------------------------
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$BC_SRCDIR/configure.ac")
expect_ok "$BCADM" --version
expect_stdout_contains "$version"
expect_lines 1
expect_ok "$BCADM" -V
expect_stdout_contains "$version"
expect_ok "$BCADM" -s "$T/never.db" --version
check "--version created no store" test ! -e "$T/never.db"

finish
