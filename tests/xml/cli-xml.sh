#!/bin/sh
# cli-xml.sh -- bcadm export and import as a user runs them: output,
# round trip, --synchronized-only, -o, --dry-run, --replace, stdin, the
# schema (xmllint) and exit statuses.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

XSD=$BC_SRCDIR/schema/sipbc-site.xsd
WEST=$T/west.db

west() {
	"$BCADM" -s "$WEST" "$@"
}

# ---- a store with every kind ----------------------------------------------
expect_silent bcadm init --site east
expect_silent bcadm login add 1001 --password 'p<w>&"' --option 'TServer/k=v'
expect_silent bcadm login add 1002 --override 99 --use-override --disabled
expect_silent bcadm dn add 5001 --type extension --password s1p \
    --alias 'Zoë <main>' --register on-demand --option TServer/dr-forward=oos
expect_silent bcadm dn add 5002 --type extension
expect_silent bcadm dn add 6001 --type call-processing-port \
    --contact 'sip:ivr@east;transport=tls'
expect_silent bcadm dn add 7001 --type acd-queue \
    --option TServer/dr-forward=no-agent
expect_silent bcadm dn add peer --type trunk --contact sip:west.example.com \
    --association 'rack 3'
expect_silent bcadm dn add 8001 --type routing-point --disabled
expect_silent bcadm dn add 8002 --type voip-service
expect_silent bcadm place add 'Sales & <1>' --dn 5001 --dn 6001 \
    --option TServer/x=1
expect_silent bcadm place add 'Sales 2' --dn 5002 --disabled
expect_silent bcadm person add jdoe --first Jane --last "O'Neil" --agent \
    --employee-id E1 --preferred-site east --place 'Sales & <1>' \
    --login 1001:30 --login 1002
expect_silent bcadm person add boss --first Ørjan

# ---- export ---------------------------------------------------------------
expect_ok bcadm export
cp "$T/stdout" "$T/east.xml"
expect_line '<?xml version="1.0" encoding="UTF-8"?>'
expect_line '<site xmlns="urn:sipbc:site:1" format="1" name="east">'
expect_line '    <login code="1001" password="p&lt;w&gt;&amp;&quot;">'
expect_line '    <dn type="extension" number="5001" alias="Zoë &lt;main&gt;" register="on-demand" password="s1p">'
expect_line '    <place name="Sales &amp; &lt;1&gt;">'
expect_line '      <dn type="call-processing-port" number="6001"/>'
expect_line '      <login code="1001" wrapup="30"/>'
expect_line '    <dn type="trunk" number="peer" association="rack 3" contact="sip:west.example.com"/>'
expect_line '</site>'
expect_stdout_contains 'username="boss" first="Ørjan"'
if [ -n "${XMLLINT:-}" ]; then
	expect_status 0 "$XMLLINT" --noout --schema "$XSD" "$T/east.xml"
else
	note "xmllint not found: schema validation of the export skipped"
fi
# the same store gives the same bytes
run bcadm export
check "second export is identical" cmp -s "$T/stdout" "$T/east.xml"

# -o FILE, -oFILE and --output=FILE
expect_silent bcadm export -o "$T/o1.xml"
check "-o FILE writes the export" cmp -s "$T/o1.xml" "$T/east.xml"
expect_silent bcadm export -o"$T/o2.xml"
check "-oFILE writes the export" cmp -s "$T/o2.xml" "$T/east.xml"
expect_silent bcadm export --output="$T/o3.xml"
check "--output=FILE writes the export" cmp -s "$T/o3.xml" "$T/east.xml"
expect_error 73 "cannot create '$T/nodir/x.xml'" \
    bcadm export -o "$T/nodir/x.xml"
expect_error 64 "needs a value" bcadm export -o
expect_error 64 "unknown option '-x'" bcadm export -x
run bcadm help export
expect_line 'bcadm export [--synchronized-only] [-o FILE]'

# a full disk: one line, exit 74; -o removes a partial file, not a device
# (a link to /dev/full stands for it: removing the link would show)
if [ -w /dev/full ]; then
	to_full() {
		"$@" >/dev/full
	}
	expect_error 74 "cannot write output: No space left" to_full \
	    bcadm export
	ln -s /dev/full "$T/full"
	expect_error 74 "cannot write export: No space left" \
	    bcadm export -o "$T/full"
	check "-o on a device leaves the device" test -L "$T/full"
else
	note "no /dev/full: write errors of the export not tested"
fi

# -o FILE is written beside FILE and renamed over it when whole: a
# failed export leaves FILE as it was; FILE keeps its mode; through a
# symbolic link, the file it points to is replaced and the link stays
printf 'previous\n' >"$T/keep.xml"
chmod 600 "$T/keep.xml"
ln -s keep.xml "$T/keep-link.xml"
cp "$STORE" "$T/bad.db"
sqlite3 "$T/bad.db" "UPDATE dn SET alias = 'a' || char(1) \
    WHERE number = '5002'" || fail "sqlite3 update"
expect_error 65 "dn" bcadm -s "$T/bad.db" export -o "$T/keep.xml"
check "a failed export leaves the file as it was" \
    test "$(cat "$T/keep.xml")" = previous
check "and no file of its own" \
    test -z "$(find "$T" -name 'keep.xml.*')"
expect_silent bcadm export -o "$T/keep-link.xml"
check "an export through a link replaces the file it points to" \
    cmp -s "$T/keep.xml" "$T/east.xml"
check "the link stays a link" test -L "$T/keep-link.xml"
check "the file keeps its mode" \
    test "$(stat -c %a "$T/keep.xml")" = 600

# --synchronized-only
expect_ok bcadm export --synchronized-only
cp "$T/stdout" "$T/east-sync.xml"
expect_stdout_contains 'synchronized-only="true"'
expect_stdout_lacks 'type="trunk"'
expect_stdout_lacks 'type="routing-point"'
expect_stdout_lacks 'type="voip-service"'
expect_stdout_contains 'type="acd-queue"'
expect_stdout_contains '<person username="jdoe"'
if [ -n "${XMLLINT:-}" ]; then
	expect_status 0 "$XMLLINT" --noout --schema "$XSD" \
	    "$T/east-sync.xml"
fi

# ---- import into a fresh store: round trip --------------------------------
expect_silent west init --site west
expect_status 1 west import "$T/east.xml" --dry-run
expect_line "create login '1001'"
expect_line "create dn 'extension:5001'"
expect_line "create dn 'trunk:peer'"
expect_line "create place 'Sales & <1>'"
expect_line "create person 'jdoe'"
expect_lines 13
run west export
expect_no_line_matching '<login '
expect_silent west import "$T/east.xml"
run west export
sed 1,2d "$T/east.xml" >"$T/a"
sed 1,2d "$T/stdout" >"$T/b"
check "round trip is byte-identical below the root" cmp -s "$T/a" "$T/b"
expect_line '<site xmlns="urn:sipbc:site:1" format="1" name="west">'
expect_ok west check
# the fill of an empty store took a rollback journal for its one
# transaction: the store is back in WAL mode, its keys all hold
run sqlite3 "$WEST" "PRAGMA journal_mode; PRAGMA foreign_key_check"
expect_line wal
expect_lines 1

# into an empty store that another connection holds open (no fill: the
# store stays in WAL mode for it), the same store
mkfifo "$T/hold"
sqlite3 "$T/held.db" <"$T/hold" >"$T/held.out" 2>&1 &
bg_pids="$bg_pids $!"
exec 9>"$T/hold"
expect_silent "$BCADM" -s "$T/held.db" init --site west
echo "SELECT 'open';" >&9
i=0
until grep -q open "$T/held.out" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "sqlite3 holds the store open" grep -q open "$T/held.out"
expect_silent "$BCADM" -s "$T/held.db" import "$T/east.xml"
echo "SELECT 'held ' || count(*) FROM person; PRAGMA journal_mode;" >&9
exec 9>&-
wait
check "the connection held saw the import" grep -q 'held 2' "$T/held.out"
run "$BCADM" -s "$T/held.db" export
sed 1,2d "$T/stdout" >"$T/b"
check "imported beside another connection: the same store" \
    cmp -s "$T/a" "$T/b"
run sqlite3 "$T/held.db" "PRAGMA journal_mode"
expect_line wal

# a failed fill (a reference to nothing): nothing written, WAL mode
expect_silent "$BCADM" -s "$T/failed.db" init --site west
sed 's/place="Sales &amp; &lt;1&gt;"/place="Nowhere"/' "$T/east.xml" \
    >"$T/ref.xml"
expect_error 65 "place 'Nowhere' does not exist" \
    "$BCADM" -s "$T/failed.db" import "$T/ref.xml"
run sqlite3 "$T/failed.db" "SELECT count(*) FROM agent_login; \
    SELECT count(*) FROM sync_meta; PRAGMA journal_mode"
expect_line 0
expect_line wal
expect_lines 3

# a store a fill left in its rollback journal (the importer killed: a hot
# journal) is rolled back and back in WAL mode at the next open
rm -f "$T/hold"
mkfifo "$T/hold"
sqlite3 "$T/failed.db" <"$T/hold" >/dev/null 2>&1 &
killme=$!
bg_pids="$bg_pids $killme"
exec 9>"$T/hold"
echo "PRAGMA journal_mode=DELETE; PRAGMA cache_size=1; BEGIN; \
    INSERT INTO agent_login (code) SELECT 'x' || value FROM \
    generate_series(1, 2000);" >&9
i=0
until [ -s "$T/failed.db-journal" ] || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "a hot journal" test -s "$T/failed.db-journal"
kill -9 $killme
exec 9>&-
{ wait; } 2>/dev/null
expect_ok "$BCADM" -s "$T/failed.db" login list
run sqlite3 "$T/failed.db" "SELECT count(*) FROM agent_login; \
    PRAGMA journal_mode"
expect_line 0
expect_line wal
# nothing to do the second time
expect_silent west import "$T/east.xml" --dry-run
expect_silent west import "$T/east.xml"
# an object is taken as unchanged from the hash of its document, except
# one changed since the last commit (the sqlite3 shell) and the DN fields
# the document leaves out (association, contact): those are compared
sqlite3 "$WEST" "UPDATE agent_login SET password = 'shell' \
    WHERE code = '1001'" || fail "sqlite3 update"
expect_status 1 west import "$T/east.xml" --dry-run
expect_line "update login '1001'"
expect_lines 1
expect_silent west dn set 5001 --contact sip:5001@192.0.2.7
expect_status 1 west import "$T/east.xml" --dry-run
expect_line "update dn 'extension:5001'"
expect_line "update login '1001'"
expect_lines 2
expect_silent west import "$T/east.xml"
expect_silent west import "$T/east.xml" --dry-run
run west export
sed 1,2d "$T/stdout" >"$T/b"
check "the import put both back" cmp -s "$T/a" "$T/b"
# a document out of order: what the walk of recorded hashes has passed
# is read from the store
printf '%s\n%s%s%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
    '<site xmlns="urn:sipbc:site:1" format="1"><logins>' \
    '<login code="1002" override="99" use-override="true" enabled="false"/>' \
    '<login code="1001" password="new"/></logins></site>' >"$T/unordered.xml"
expect_status 1 west import "$T/unordered.xml" --dry-run
expect_line "update login '1001'"
expect_lines 1

# JSON dry run
expect_silent west dn set 5002 --alias changed
expect_status 1 west --format json import "$T/east.xml" --dry-run
expect_json_eq 'd' '[{"action": "update", "kind": "dn", "id": "extension:5002"}]'
# the dry run changed nothing; the real run does
expect_status 1 west import "$T/east.xml" --dry-run
expect_lines 1
expect_silent west import "$T/east.xml"
run west dn show 5002
expect_line 'alias: '

# ---- stdin ----------------------------------------------------------------
expect_silent west dn set 5002 --alias again
run sh -c '"$1" -s "$2" import - --dry-run <"$3"' sh "$BCADM" "$WEST" \
    "$T/east.xml"
check_status 1
expect_line "update dn 'extension:5002'"
run sh -c 'printf "<site/>" | "$1" -s "$2" import -' sh "$BCADM" "$WEST"
check_status 65
expect_stderr_matches '^bcadm: <stdin>:1:[0-9]+: not a valid site document'

# ---- --replace --------------------------------------------------------------
expect_silent west login add 9999
expect_silent west dn add 9998 --type extension
expect_silent west place add 'Only West' --dn 9998
expect_silent west person add extra --agent --place 'Only West' --login 9999
expect_status 1 west import --replace "$T/east.xml" --dry-run
expect_line "delete person 'extra'"
expect_line "delete place 'Only West'"
expect_line "delete dn 'extension:9998'"
expect_line "delete login '9999'"
expect_line "update dn 'extension:5002'"
expect_lines 5
# without --replace they stay
expect_silent west import "$T/east.xml"
run west person show extra
check_status 0
expect_silent west import "$T/east.xml" --replace
expect_error 65 "person 'extra' does not exist" west person show extra
run west export
sed 1,2d "$T/stdout" >"$T/b"
check "after --replace the stores match" cmp -s "$T/a" "$T/b"
# --replace with a synchronized-only document keeps site-local DNs
expect_silent west import "$T/east-sync.xml" --replace
run west dn show peer
check_status 0

# ---- errors ---------------------------------------------------------------
expect_error 66 "cannot open '$T/missing.xml'" west import "$T/missing.xml"
expect_error 64 "missing FILE" west import
# a queue in a place: the line of the element
cat >"$T/queue.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<site xmlns="urn:sipbc:site:1" format="1">
  <places>
    <place name="Sales 2">
      <dn type="acd-queue" number="7001"/>
    </place>
  </places>
</site>
EOF
expect_error 65 "^bcadm: $T/queue.xml:5:[0-9]+: .*acd-queue" \
    west import "$T/queue.xml"
# a rule of the store: the agent flag cannot change
sed 's/<person username="boss" /<person username="boss" agent="true" /' \
    "$T/east.xml" >"$T/agent.xml"
line=$(grep -n 'username="boss"' "$T/agent.xml" | cut -d: -f1)
expect_error 65 "^bcadm: $T/agent.xml:$line:[0-9]+: .*agent" \
    west import "$T/agent.xml"
# a reference to nothing
sed 's/place="Sales &amp; &lt;1&gt;"/place="Nowhere"/' "$T/east.xml" \
    >"$T/ref.xml"
expect_error 65 "place 'Nowhere' does not exist" west import "$T/ref.xml"
expect_error 65 "place 'Nowhere' does not exist" \
    west import "$T/ref.xml" --dry-run

finish
