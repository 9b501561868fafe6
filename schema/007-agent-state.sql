-- sipbc site store, schema version 7: runtime state of the SIP core.
-- (Versions 5 and 6 are other work; the migration runner applies files
-- in order of their number, so a gap is fine.)
--
-- Runtime tables, like sip_binding: per site, never synchronized, never
-- part of a diff, a sync or an export, and without triggers.  bcadm and
-- bcsipd write them; bcsipd reads them within a second of a change.

-- The agents logged in at this site: one row per logged-in agent login.
-- A person is logged in at most once, a DN hosts at most one agent.
CREATE TABLE agent_state (
	code		TEXT NOT NULL PRIMARY KEY,	-- agent login code
	person		TEXT NOT NULL UNIQUE,	-- its holder at login time
	dn		TEXT NOT NULL UNIQUE,	-- the extension's number
	ready		INTEGER NOT NULL DEFAULT 0 CHECK (ready IN (0, 1)),
	calls		INTEGER NOT NULL DEFAULT 0 CHECK (calls >= 0),
	-- graceful shutdown: log out when the last call ends
	logout_pending	INTEGER NOT NULL DEFAULT 0
			    CHECK (logout_pending IN (0, 1)),
	login_at	INTEGER NOT NULL,	-- Unix time
	state_at	INTEGER NOT NULL,	-- last change of ready or calls
	idle_since	INTEGER NOT NULL	-- last time it became free
) WITHOUT ROWID;
CREATE INDEX agent_state_idle ON agent_state(ready, calls, idle_since);

-- What bcsipd reports about itself and asks of it: the peer site's
-- state ('peer'), a graceful shutdown asked by bcadm or under way
-- ('shutdown'), the running daemon ('daemon').
CREATE TABLE sip_status (
	name		TEXT NOT NULL PRIMARY KEY,
	value		TEXT NOT NULL,
	detail		TEXT,
	since		INTEGER NOT NULL	-- Unix time of the last change
) WITHOUT ROWID;
