-- sipbc site store, schema version 2: annex options (section -> key ->
-- value) of DNs, places and agent logins.

CREATE TABLE dn_option (
	dn_id		INTEGER NOT NULL REFERENCES dn(id) ON DELETE CASCADE,
	section		TEXT NOT NULL CHECK (length(section) BETWEEN 1 AND 255),
	key		TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	value		TEXT NOT NULL,
	PRIMARY KEY (dn_id, section, key)
) WITHOUT ROWID;

CREATE TABLE place_option (
	place_id	INTEGER NOT NULL REFERENCES place(id) ON DELETE CASCADE,
	section		TEXT NOT NULL CHECK (length(section) BETWEEN 1 AND 255),
	key		TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	value		TEXT NOT NULL,
	PRIMARY KEY (place_id, section, key)
) WITHOUT ROWID;

CREATE TABLE login_option (
	login_id	INTEGER NOT NULL
			    REFERENCES agent_login(id) ON DELETE CASCADE,
	section		TEXT NOT NULL CHECK (length(section) BETWEEN 1 AND 255),
	key		TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	value		TEXT NOT NULL,
	PRIMARY KEY (login_id, section, key)
) WITHOUT ROWID;
