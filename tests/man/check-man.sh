#!/bin/sh
# check-man.sh -- keep the manual pages in step with bcadm.
#
# Run by the automake test harness (see man/man.am) with
#	BCADM		path of the built bcadm
#	BC_SRCDIR	absolute source directory (holds man/)
#	MANDOC		path of mandoc(1), or empty
#
# (a) mandoc -Tlint -W warning must print nothing for both pages;
# (b) bcadm.8 is rendered to plain text (mandoc, else groff, else man -l);
# (c) the command table is walked through "bcadm help": for every command
#     the page must show "bcadm WORDS" (or a line starting with WORDS) and
#     every long option of the command's synopsis line, preferably in the
#     page's own synopsis line(s) of that command; "bcadm WORDS -h" must
#     exit 0 and print the command words.  In the other direction, every
#     SYNOPSIS line of the page must name a command of "bcadm help", with
#     no long option that the command's help line lacks (not checked for
#     the global usage line, which may abbreviate -h|--help to -h).
#
# One line per missing item.  Exit 0 all present, 1 something missing,
# 77 skipped (nothing can render the page; or MANDOC empty, so the lint
# part was skipped, and everything else passed), 99 hard error.

LC_ALL=C
export LC_ALL

srcdir=${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
page8=$srcdir/man/bcadm.8
page5=$srcdir/man/bc.conf.5
fail=0
skip=0

tmp=${TMPDIR:-/tmp}/check-man.$$
rm -rf "$tmp"
mkdir "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# Reports one missing item.
missing() {
	printf '%s\n' "$*"
	fail=1
}

for p in "$page8" "$page5"; do
	if [ ! -r "$p" ]; then
		echo "check-man: cannot read $p" >&2
		exit 99
	fi
done

# ---- (a) lint ------------------------------------------------------------
if [ -n "$MANDOC" ]; then
	for p in "$page8" "$page5"; do
		"$MANDOC" -Tlint -W warning "$p" >"$tmp/lint" 2>&1
		rc=$?
		if [ -s "$tmp/lint" ]; then
			sed "s|^|lint: ${p##*/}: |" "$tmp/lint"
			fail=1
		elif [ "$rc" -ne 0 ]; then
			missing "lint: ${p##*/}: mandoc -Tlint exited $rc"
		fi
	done
else
	echo "SKIP: lint (MANDOC is empty)"
	skip=1
fi

# ---- (b) render bcadm.8 ----------------------------------------------------
render() {
	if [ -n "$MANDOC" ]; then
		"$MANDOC" -Tascii -O width=1000 "$1"
	elif command -v groff >/dev/null 2>&1; then
		groff -mdoc -Tascii -P-c -rLL=1000n "$1"
	elif command -v man >/dev/null 2>&1; then
		MANWIDTH=1000 MAN_KEEP_FORMATTING='' GROFF_NO_SGR=1 man -l "$1"
	else
		return 77
	fi
}

# Removes overstriking (bold, underline) from rendered text.
plain() {
	if command -v col >/dev/null 2>&1; then
		col -b
	else
		bs=$(printf '\b')
		sed "s/.$bs//g"
	fi
}

render "$page8" >"$tmp/raw" 2>"$tmp/render.err"
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "SKIP: nothing can render $page8 (no mandoc, groff or man)"
	[ "$fail" -ne 0 ] && exit 1
	exit 77
fi
if [ "$rc" -ne 0 ] || ! grep -q bcadm "$tmp/raw"; then
	echo "check-man: cannot render $page8 (exit $rc):" >&2
	cat "$tmp/render.err" >&2
	exit 99
fi
plain <"$tmp/raw" >"$tmp/txt"

# lines: each rendered line, white space squeezed and trimmed.
# flat: the whole page as one line, white space squeezed.
tr '\t' ' ' <"$tmp/txt" | sed 's/  */ /g; s/^ //; s/ $//' >"$tmp/lines"
{ printf ' '; tr '\n' ' ' <"$tmp/lines"; printf ' \n'; } |
    sed 's/  */ /g' >"$tmp/flat"
# synopsis: the lines of section SYNOPSIS that start with "bcadm ".
sed -n '/^SYNOPSIS$/,/^DESCRIPTION$/p' "$tmp/lines" |
    grep '^bcadm ' >"$tmp/synopsis"
if [ ! -s "$tmp/synopsis" ]; then
	missing "bcadm.8: no SYNOPSIS lines starting with 'bcadm '"
fi

# ---- (c) the command table ---------------------------------------------------
if [ -z "$BCADM" ] || [ ! -x "$BCADM" ]; then
	echo "check-man: BCADM '$BCADM' is not an executable" >&2
	exit 99
fi

"$BCADM" help </dev/null >"$tmp/help" 2>"$tmp/help.err"
rc=$?
if [ "$rc" -ne 0 ]; then
	missing "bcadm help: exited $rc: $(head -n 1 "$tmp/help.err")"
fi

# One record per synopsis line of "bcadm help": "WWORDS<TAB>LINE", where
# WORDS are the command words (empty for the global usage line) and W
# keeps the first field from being empty.  An
# indented line starting with "[" or "-" continues the previous record.
awk '
function flush() {
	if (rec != "")
		print rec
	rec = ""
}
{
	gsub(/\t/, " ")
	line = $0
	sub(/^ +/, "", line)
	sub(/^[Uu]sage: */, "", line)
	if (line ~ /^bcadm( |$)/) {
		flush()
		n = split(line, tok, / +/)
		words = ""
		for (i = 2; i <= n; i++) {
			if (tok[i] !~ /^[a-z][a-z0-9-]*$/)
				break
			words = words (words == "" ? "" : " ") tok[i]
		}
		rec = "W" words "\t" line
	} else if (rec != "" && $0 ~ /^[ ]+[-[]/) {
		rec = rec " " line
	} else
		flush()
}
END { flush() }
' "$tmp/help" >"$tmp/records"

# Prints the long options (--name) of a line, one a line, sorted.
longopts() {
	printf '%s\n' "$1" | tr -c 'A-Za-z0-9-' '\n' |
	    grep '^--[A-Za-z]' | sort -u
}

# Is the fixed string $1 in file $2 as a whole token (not part of a
# longer word or option)?  $1 holds only [A-Za-z0-9 -].
hastoken() {
	grep -Eq "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" "$2"
}

set -f
ncmd=0
while IFS='	' read -r words line; do
	words=${words#W}
	if [ -z "$words" ]; then
		what="global usage"
	else
		what="'bcadm $words'"
		ncmd=$((ncmd + 1))
		if ! hastoken "bcadm $words" "$tmp/flat" &&
		    ! grep -Eq "^$words( |\$)" "$tmp/lines"; then
			missing "bcadm.8: missing command 'bcadm $words'"
		fi
	fi
	# The page's own lines for this command: SYNOPSIS and command list.
	if [ -n "$words" ]; then
		grep -E "^bcadm $words( |\$)" "$tmp/lines" >"$tmp/cmdlines"
	else
		grep -E '^bcadm \[' "$tmp/synopsis" >"$tmp/cmdlines"
	fi
	for opt in $(longopts "$line"); do
		if ! hastoken "$opt" "$tmp/flat"; then
			missing "bcadm.8: missing option $opt of $what"
		elif [ -s "$tmp/cmdlines" ] &&
		    ! hastoken "$opt" "$tmp/cmdlines"; then
			missing "bcadm.8: option $opt missing from the synopsis of $what"
		fi
	done
	[ -n "$words" ] || continue
	# shellcheck disable=SC2086 # words are split on purpose
	"$BCADM" $words -h </dev/null >"$tmp/h.out" 2>"$tmp/h.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		missing "bcadm $words -h: exited $rc: $(head -n 1 "$tmp/h.err")"
	elif ! tr -s ' \t\n' '   ' <"$tmp/h.out" | grep -q -F -- "$words"; then
		missing "bcadm $words -h: output does not name '$words'"
	fi
done <"$tmp/records"

if [ "$ncmd" -eq 0 ]; then
	missing "bcadm help: no synopsis line of a command ('bcadm WORDS ...')"
fi

# ---- the other direction: the page's SYNOPSIS against "bcadm help" ---------
# Each SYNOPSIS line of the page belongs to the help record with the
# longest command words it starts with (the global line: empty words).
while IFS= read -r sline; do
	found=0
	best=
	bestline=
	while IFS='	' read -r words line; do
		words=${words#W}
		if [ -n "$words" ]; then
			case "$sline " in
			"bcadm $words "*) ;;
			*) continue ;;
			esac
		fi
		if [ "$found" -eq 0 ] || [ ${#words} -gt ${#best} ]; then
			found=1
			best=$words
			bestline=$line
		fi
	done <"$tmp/records"
	if [ "$found" -eq 0 ]; then
		missing "bcadm help: lacks the command of '$sline' (bcadm.8 SYNOPSIS)"
		continue
	fi
	if [ -z "$best" ]; then
		case "$sline" in
		"bcadm ["*) ;;
		*)	missing "bcadm help: lacks the command of '$sline' (bcadm.8 SYNOPSIS)"
			;;
		esac
		# The global usage line may abbreviate (-h for -h|--help).
		continue
	fi
	what="'bcadm $best'"
	printf '%s\n' "$bestline" >"$tmp/helpline"
	for opt in $(longopts "$sline"); do
		if ! hastoken "$opt" "$tmp/helpline"; then
			missing "bcadm help: $what lacks option $opt of bcadm.8 SYNOPSIS"
		fi
	done
done <"$tmp/synopsis"
set +f

if [ "$fail" -ne 0 ]; then
	exit 1
fi
if [ "$skip" -ne 0 ]; then
	exit 77
fi
echo "ok: $ncmd commands of bcadm help documented in bcadm.8"
exit 0
