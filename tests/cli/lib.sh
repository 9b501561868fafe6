# lib.sh -- helpers for the bcadm CLI tests (POSIX sh, sourced).
#
# Every tests/cli/*.sh script starts with
#	unset BC_STORE
#	. "$BC_SRCDIR/tests/cli/lib.sh"
# and ends with `finish`.  Sourcing this file checks the environment the
# harness gives (BCADM, BC_SRCDIR), makes the script's own temporary
# directory $T (removed by a trap on exit), changes into it and sets
# STORE to "$T/store.db".
#
# Running commands
#	run CMD...		runs CMD with stdin from /dev/null; stdout and
#				stderr go to $T/stdout and $T/stderr, the exit
#				status to $status
#	bcadm ARGS...		"$BCADM" -s "$STORE" ARGS...
#	bcadm_as_nobody ARGS...	the same, run as user nobody (setpriv)
#	sql SQL...		sqlite3 "$STORE" SQL...
#
# Checks (each counts one pass or one failure)
#	expect_status N CMD...	runs CMD, status must be N
#	expect_ok CMD...	status 0 and nothing on stderr
#	expect_silent CMD...	status 0, nothing on stdout nor on stderr
#	expect_error N REGEX CMD...
#				an error case: status N (or one of "N|M"),
#				stdout empty, stderr
#				exactly one line starting "bcadm: " and matching
#				the extended REGEX (which names the object), and
#				$STORE unchanged (sqlite3 .dump before/after;
#				a missing store must stay missing)
#	expect_stdout_contains STR / expect_stdout_lacks STR   (fixed string)
#	expect_line LINE	some stdout line is exactly LINE
#	expect_no_line_matching REGEX
#	expect_stdout_matches REGEX / expect_stderr_matches REGEX
#	expect_stdout_empty / expect_stderr_empty
#	expect_lines N		stdout has exactly N lines
#	expect_row VALUE...	some stdout line, split into columns at runs of
#				two or more spaces, has every VALUE as a column
#	expect_json EXPR [ARG...]
#				Python EXPR on the parsed stdout is true; in
#				EXPR, d is the document, a the list of ARGs,
#				find(list, key, value) the first element whose
#				key is value (None if none)
#	expect_json_eq EXPR JSON
#				Python EXPR equals the JSON value
#	expect_json_keys EXPR KEY...
#				the object EXPR has exactly these keys
#	expect_same_store FILE	$STORE's snapshot equals FILE (from snapshot)
#	check DESC CMD...	passes when CMD succeeds
#	fail MSG / pass		count by hand
#	skip_all MSG		exits 77 (automake: skipped)
#	finish			prints "N passed, N failed"; exit 1 on failures

case ${BCADM:-} in
'')	echo "lib.sh: BCADM is not set (path of the bcadm binary)" >&2
	exit 99 ;;
esac
case ${BC_SRCDIR:-} in
'')	echo "lib.sh: BC_SRCDIR is not set (source directory)" >&2
	exit 99 ;;
esac
unset BC_STORE
# The JSON checks read UTF-8 whatever the locale of the harness.
PYTHONUTF8=1
export PYTHONUTF8
unset PYTHONIOENCODING

npass=0
nfail=0
status=0
last_cmd=
bg_pids=

T=$(mktemp -d "${TMPDIR:-/tmp}/bccli.XXXXXXXX") || exit 99
STORE=$T/store.db

cleanup() {
	for _p in $bg_pids; do
		kill "$_p" 2>/dev/null
	done
	cd / && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM

cd "$T" || exit 99

# ---- running -------------------------------------------------------------

# Quotes a command for failure messages; long arguments are shortened.
quote_cmd() {
	_q=
	for _a in "$@"; do
		if [ ${#_a} -gt 60 ]; then
			_a="$(printf '%s' "$_a" | cut -c1-40)...(${#_a} chars)"
		fi
		_q="$_q '$_a'"
	done
	printf '%s' "${_q# }"
}

run() {
	last_cmd=$(quote_cmd "$@")
	"$@" </dev/null >"$T/stdout" 2>"$T/stderr"
	status=$?
	return 0
}

bcadm() {
	"$BCADM" -s "$STORE" "$@"
}

have_setpriv() {
	command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]
}

bcadm_as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$BCADM" -s "$STORE" "$@"
}

sql() {
	sqlite3 "$STORE" "$@"
}

# snapshot [FILE]: a description of $STORE (or FILE) that changes when its
# content does: the SQL dump and user_version, a checksum when the file is
# not a database, ABSENT when it does not exist.
snapshot() {
	_f=${1:-$STORE}
	if [ ! -e "$_f" ]; then
		echo ABSENT
		return
	fi
	if ! printf 'PRAGMA user_version;\n.dump\n' |
	    sqlite3 -batch "$_f" 2>&1; then
		cksum <"$_f"
	fi
}

# ---- counting ------------------------------------------------------------

pass() {
	npass=$((npass + 1))
}

fail() {
	nfail=$((nfail + 1))
	echo "FAIL: $*"
	echo "  command: $last_cmd"
	echo "  status:  $status"
	if [ -s "$T/stdout" ]; then
		echo "  stdout:"
		head -n 8 "$T/stdout" | sed 's/^/    /'
	fi
	if [ -s "$T/stderr" ]; then
		echo "  stderr:"
		head -n 8 "$T/stderr" | sed 's/^/    /'
	fi
}

note() {
	echo "NOTE: $*"
}

skip_all() {
	echo "SKIP: $*"
	exit 77
}

finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ] || exit 1
	exit 0
}

# check DESC CMD...: passes when CMD succeeds.
check() {
	_desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		pass
	else
		fail "$_desc"
	fi
}

# ---- checks on the last run ---------------------------------------------

check_status() {
	if [ "$status" -eq "$1" ]; then
		pass
	else
		fail "exit status $status, expected $1"
	fi
}

expect_status() {
	_want=$1
	shift
	run "$@"
	check_status "$_want"
}

expect_ok() {
	run "$@"
	if [ "$status" -eq 0 ] && [ ! -s "$T/stderr" ]; then
		pass
	else
		fail "expected success (status 0, empty stderr)"
	fi
}

expect_silent() {
	run "$@"
	if [ "$status" -eq 0 ] && [ ! -s "$T/stdout" ] && [ ! -s "$T/stderr" ]
	then
		pass
	else
		fail "expected silent success (status 0, no output)"
	fi
}

expect_error() {
	_want=$1 _re=$2
	shift 2
	snapshot >"$T/before"
	run "$@"
	snapshot >"$T/after"
	_why=
	case "|$_want|" in
	*"|$status|"*)	;;
	*)	_why="$_why; exit status $status, expected $_want" ;;
	esac
	[ -s "$T/stdout" ] && _why="$_why; stdout not empty"
	_n=$(wc -l <"$T/stderr")
	[ "$_n" -eq 1 ] || _why="$_why; stderr has $_n lines, expected 1"
	head -n 1 "$T/stderr" | grep -q '^bcadm: ' ||
	    _why="$_why; stderr does not start with 'bcadm: '"
	grep -Eq -- "$_re" "$T/stderr" ||
	    _why="$_why; stderr does not match /$_re/"
	cmp -s "$T/before" "$T/after" || _why="$_why; the store changed"
	if [ -z "$_why" ]; then
		pass
	else
		fail "error case: ${_why#; }"
		if ! cmp -s "$T/before" "$T/after"; then
			diff "$T/before" "$T/after" | head -n 10 | sed 's/^/    /'
		fi
	fi
}

expect_same_store() {
	snapshot >"$T/now"
	if cmp -s "$1" "$T/now"; then
		pass
	else
		fail "the store changed"
		diff "$1" "$T/now" | head -n 10 | sed 's/^/    /'
	fi
}

expect_stdout_contains() {
	if grep -Fq -- "$1" "$T/stdout"; then
		pass
	else
		fail "stdout lacks '$1'"
	fi
}

expect_stdout_lacks() {
	if grep -Fq -- "$1" "$T/stdout"; then
		fail "stdout contains '$1'"
	else
		pass
	fi
}

expect_line() {
	if grep -Fxq -- "$1" "$T/stdout"; then
		pass
	else
		fail "stdout has no line '$1'"
	fi
}

expect_no_line_matching() {
	if grep -Eq -- "$1" "$T/stdout"; then
		fail "stdout has a line matching /$1/"
	else
		pass
	fi
}

expect_stdout_matches() {
	if grep -Eq -- "$1" "$T/stdout"; then
		pass
	else
		fail "stdout does not match /$1/"
	fi
}

expect_stderr_matches() {
	if grep -Eq -- "$1" "$T/stderr"; then
		pass
	else
		fail "stderr does not match /$1/"
	fi
}

expect_stdout_empty() {
	if [ -s "$T/stdout" ]; then
		fail "stdout not empty"
	else
		pass
	fi
}

expect_stderr_empty() {
	if [ -s "$T/stderr" ]; then
		fail "stderr not empty"
	else
		pass
	fi
}

expect_lines() {
	_n=$(wc -l <"$T/stdout")
	if [ "$_n" -eq "$1" ]; then
		pass
	else
		fail "stdout has $_n lines, expected $1"
	fi
}

expect_row() {
	_i=0
	for _v in "$@"; do
		_i=$((_i + 1))
		eval "BC_ROW_$_i=\$_v"
		export "BC_ROW_$_i"
	done
	BC_ROW_N=$_i
	export BC_ROW_N
	if awk '
	{
		n = split($0, col, /  +/)
		for (i = 1; i <= n; i++) {
			sub(/^ +/, "", col[i])
			sub(/ +$/, "", col[i])
		}
		all = 1
		for (j = 1; j <= ENVIRON["BC_ROW_N"]; j++) {
			want = ENVIRON["BC_ROW_" j]
			found = 0
			for (i = 1; i <= n; i++)
				if (col[i] == want)
					found = 1
			if (!found)
				all = 0
		}
		if (all)
			hit = 1
	}
	END { exit hit ? 0 : 1 }' "$T/stdout"; then
		pass
	else
		fail "no row with columns: $(quote_cmd "$@")"
	fi
}

# The Python side of the JSON checks: argv[1] the stdout file, argv[2] the
# mode, argv[3] the expression, then mode-specific arguments.
json_py='
import json, sys
path, mode, expr, a = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def find(lst, key, value):
    for x in lst:
        if isinstance(x, dict) and x.get(key) == value:
            return x
    return None
def show(v):
    return json.dumps(v, ensure_ascii=False, sort_keys=True)[:600]
try:
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
except Exception as e:
    print("stdout is not JSON: %s" % e)
    sys.exit(1)
env = {"d": d, "a": a, "find": find}
try:
    v = eval(expr, env)
except Exception as e:
    print("%s: %r in %s" % (type(e).__name__, e, show(d)))
    sys.exit(1)
if mode == "true":
    ok = bool(v)
    why = "false in %s" % show(d)
elif mode == "eq":
    want = json.loads(a[0])
    ok = v == want and type(v) == type(want)
    why = "got %s, expected %s" % (show(v), show(want))
else:
    ok = isinstance(v, dict) and set(v) == set(a)
    why = "keys %s, expected %s" % (show(sorted(v) if isinstance(v, dict)
        else v), show(sorted(a)))
if not ok:
    print(why)
    sys.exit(1)
'

json_run() {
	_mode=$1 _expr=$2
	shift 2
	if _msg=$(python3 -c "$json_py" "$T/stdout" "$_mode" "$_expr" "$@" \
	    2>&1); then
		pass
	else
		fail "json $_expr: $_msg"
	fi
}

expect_json() {
	json_run true "$@"
}

expect_json_eq() {
	json_run eq "$@"
}

expect_json_keys() {
	json_run keys "$@"
}

# A string of N copies of character C.
repeat() {
	awk -v n="$1" -v c="$2" 'BEGIN { s = ""; for (i = 0; i < n; i++) s = s c; print s }'
}
