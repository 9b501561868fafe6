-- sipbc site store, schema version 1: the site and its configuration objects.
-- Applied by the library (core/store.c) in one transaction; never edit a
-- released migration, add the next numbered file instead.

CREATE TABLE site (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	name		TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	switch		TEXT NOT NULL CHECK (length(switch) BETWEEN 1 AND 255)
);

CREATE TABLE place (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			    CHECK (length(name) BETWEEN 1 AND 255),
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);

CREATE TABLE dn (
	id		INTEGER PRIMARY KEY,
	-- OR chains, not IN lists: SQLite builds a lookup table for an IN
	-- list on every row written
	type		TEXT NOT NULL CHECK (type = 'extension' OR
			    type = 'acd-queue' OR
			    type = 'call-processing-port' OR
			    type = 'routing-point' OR type = 'trunk' OR
			    type = 'voip-service'),
	number		TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 255),
	alias		TEXT CHECK (length(alias) <= 255),
	register	TEXT NOT NULL DEFAULT 'true'
			    CHECK (register = 'true' OR register = 'false' OR
			    register = 'on-demand'),
	association	TEXT,
	contact		TEXT,
	password	TEXT,
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	place_id	INTEGER REFERENCES place(id),
	UNIQUE (type, number),
	-- a place holds extensions and call processing ports only
	CHECK (place_id IS NULL OR
	    type IN ('extension', 'call-processing-port'))
);
CREATE INDEX dn_number ON dn(number);
CREATE INDEX dn_place ON dn(place_id);
-- at most one extension per place at this site
CREATE UNIQUE INDEX dn_place_extension ON dn(place_id)
    WHERE type = 'extension' AND place_id IS NOT NULL;

CREATE TABLE agent_login (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE
			    CHECK (length(code) BETWEEN 1 AND 255),
	password	TEXT,
	override	TEXT,
	use_override	INTEGER NOT NULL DEFAULT 0
			    CHECK (use_override IN (0, 1)),
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);

CREATE TABLE person (
	id		INTEGER PRIMARY KEY,
	username	TEXT NOT NULL UNIQUE
			    CHECK (length(username) BETWEEN 1 AND 255),
	first_name	TEXT,
	last_name	TEXT,
	employee_id	TEXT,
	agent		INTEGER NOT NULL DEFAULT 0 CHECK (agent IN (0, 1)),
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	preferred_site	TEXT,
	place_id	INTEGER REFERENCES place(id)
);
CREATE INDEX person_place ON person(place_id);

-- a person's agent logins; the wrap-up time belongs to the assignment
CREATE TABLE person_login (
	person_id	INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	login_id	INTEGER NOT NULL UNIQUE REFERENCES agent_login(id),
	wrapup		INTEGER NOT NULL DEFAULT 0
			    CHECK (wrapup BETWEEN 0 AND 86400),
	PRIMARY KEY (person_id, login_id)
) WITHOUT ROWID;

-- the agent flag is fixed when the person is created
CREATE TRIGGER person_agent_fixed BEFORE UPDATE OF agent ON person
WHEN NEW.agent IS NOT OLD.agent
BEGIN
	SELECT RAISE(ABORT, 'agent flag cannot change after creation');
END;
