-- sipbc site store, schema version 4: SIP registrations of bcsipd.
--
-- A runtime table: bcsipd writes it (in batches) and reads it back at
-- start, 'bcadm reg list' shows it.  It is never synchronized, never part
-- of a diff or an export, and has no triggers.  A binding of a DN that no
-- longer exists is dropped by bcsipd when it reloads the store.

CREATE TABLE sip_binding (
	number		TEXT NOT NULL,		-- the extension DN's number
	contact		TEXT NOT NULL,		-- Contact URI
	expires_at	INTEGER NOT NULL,	-- Unix time
	call_id		TEXT NOT NULL,
	cseq		INTEGER NOT NULL,
	q		INTEGER NOT NULL DEFAULT 1000
			    CHECK (q BETWEEN 0 AND 1000),	-- q * 1000
	received	TEXT,		-- TRANSPORT:ADDRESS:PORT it came from
	user_agent	TEXT,
	updated_at	INTEGER NOT NULL,	-- Unix time of the last REGISTER
	PRIMARY KEY (number, contact)
) WITHOUT ROWID;
CREATE INDEX sip_binding_expires ON sip_binding(expires_at);
