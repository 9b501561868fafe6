-- sipbc site store, schema version 3: change metadata of synchronized
-- objects, captured in the store itself.
--
-- Synchronized objects: DNs of types extension, acd-queue and
-- call-processing-port; places; persons; agent logins.  Each has a
-- canonical document (the sync_*_doc views: only the fields both sites
-- share) and one sync_meta row: the hybrid logical clock (HLC) of its last
-- change, the site that made it, and the hash of its document.  A deleted
-- object keeps its row as a tombstone (deleted = 1, hash NULL).
--
-- Triggers mark every changed object in sync_dirty, whatever writes the
-- tables (sipbc or the sqlite3 shell); the library turns the marks into
-- sync_meta rows when it commits (core/meta.c).

ALTER TABLE site ADD COLUMN hlc INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sync_meta (
	kind		TEXT NOT NULL
			    CHECK (kind IN ('dn', 'place', 'person', 'login')),
	key		TEXT NOT NULL,	-- dn: TYPE:NUMBER; others: the name
	hlc		INTEGER NOT NULL,
	origin		TEXT NOT NULL,
	hash		TEXT,
	deleted		INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
	PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TABLE sync_dirty (
	kind		TEXT NOT NULL,
	key		TEXT NOT NULL,
	PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- the last two-way synchronization with each peer: both stores held the
-- same synchronized objects up to this HLC
CREATE TABLE sync_peer (
	peer		TEXT PRIMARY KEY,
	hlc		INTEGER NOT NULL,
	synced_at	INTEGER NOT NULL
);

-- conflicts met by two-way synchronization: both versions, kept for
-- 'bcadm conflicts'
CREATE TABLE conflict (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,
	key		TEXT NOT NULL,
	local_site	TEXT NOT NULL,
	local_hlc	INTEGER,
	local_doc	TEXT,		-- NULL: deleted here
	peer_site	TEXT NOT NULL,
	peer_hlc	INTEGER,
	peer_doc	TEXT,		-- NULL: deleted at the peer
	kept		TEXT NOT NULL CHECK (kept IN ('local', 'peer')),
	detected_at	INTEGER NOT NULL,
	resolved_at	INTEGER
);

-- ---- canonical documents: what is compared and copied ----------------
-- DN fields association and contact are site-specific: not in documents.
CREATE VIEW sync_dn_doc AS
SELECT d.type AS type, d.number AS number, d.type || ':' || d.number AS key,
    json_object('type', d.type, 'number', d.number, 'alias', d.alias,
	'register', d.register, 'password', d.password,
	'enabled', d.enabled,
	'option', (SELECT json_group_object(o.section || '/' || o.key,
	    o.value) FROM (SELECT section, key, value FROM dn_option
	    WHERE dn_id = d.id ORDER BY section, key) o)) AS doc
FROM dn d
WHERE d.type = 'extension' OR d.type = 'acd-queue' OR
    d.type = 'call-processing-port';

CREATE VIEW sync_place_doc AS
SELECT p.name AS key,
    json_object('name', p.name, 'enabled', p.enabled,
	'dn', (SELECT json_group_array(x.type || ':' || x.number)
	    FROM (SELECT type, number FROM dn WHERE place_id = p.id
	    ORDER BY type, number) x),
	'option', (SELECT json_group_object(o.section || '/' || o.key,
	    o.value) FROM (SELECT section, key, value FROM place_option
	    WHERE place_id = p.id ORDER BY section, key) o)) AS doc
FROM place p;

CREATE VIEW sync_person_doc AS
SELECT r.username AS key,
    json_object('username', r.username, 'first', r.first_name,
	'last', r.last_name, 'employee-id', r.employee_id,
	'agent', r.agent, 'enabled', r.enabled,
	'preferred-site', r.preferred_site,
	'place', (SELECT name FROM place WHERE id = r.place_id),
	'login', (SELECT json_group_object(x.code, x.wrapup)
	    FROM (SELECT l.code, pl.wrapup FROM person_login pl
	    JOIN agent_login l ON l.id = pl.login_id
	    WHERE pl.person_id = r.id ORDER BY l.code) x)) AS doc
FROM person r;

CREATE VIEW sync_login_doc AS
SELECT l.code AS key,
    json_object('code', l.code, 'password', l.password,
	'override', l.override, 'use-override', l.use_override,
	'enabled', l.enabled,
	'option', (SELECT json_group_object(o.section || '/' || o.key,
	    o.value) FROM (SELECT section, key, value FROM login_option
	    WHERE login_id = l.id ORDER BY section, key) o)) AS doc
FROM agent_login l;

-- ---- change capture --------------------------------------------------
CREATE TRIGGER dn_sync_insert AFTER INSERT ON dn
WHEN (NEW.type = 'extension' OR NEW.type = 'acd-queue' OR
    NEW.type = 'call-processing-port')
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    VALUES ('dn', NEW.type || ':' || NEW.number);
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', name FROM place WHERE id = NEW.place_id;
END;

CREATE TRIGGER dn_sync_update AFTER UPDATE ON dn
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'dn', OLD.type || ':' || OLD.number
	    WHERE OLD.type = 'extension' OR OLD.type = 'acd-queue' OR
	    OLD.type = 'call-processing-port';
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'dn', NEW.type || ':' || NEW.number
	    WHERE NEW.type = 'extension' OR NEW.type = 'acd-queue' OR
	    NEW.type = 'call-processing-port';
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', name FROM place
	    WHERE id IN (OLD.place_id, NEW.place_id);
END;

CREATE TRIGGER dn_sync_delete AFTER DELETE ON dn
WHEN (OLD.type = 'extension' OR OLD.type = 'acd-queue' OR
    OLD.type = 'call-processing-port')
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    VALUES ('dn', OLD.type || ':' || OLD.number);
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', name FROM place WHERE id = OLD.place_id;
END;

CREATE TRIGGER dn_option_sync_insert AFTER INSERT ON dn_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty SELECT 'dn', type || ':' || number
	    FROM dn WHERE id = NEW.dn_id AND (type = 'extension'
	    OR type = 'acd-queue' OR type = 'call-processing-port');
END;
CREATE TRIGGER dn_option_sync_update AFTER UPDATE ON dn_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty SELECT 'dn', type || ':' || number
	    FROM dn WHERE id IN (OLD.dn_id, NEW.dn_id) AND (type = 'extension'
	    OR type = 'acd-queue' OR type = 'call-processing-port');
END;
CREATE TRIGGER dn_option_sync_delete AFTER DELETE ON dn_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty SELECT 'dn', type || ':' || number
	    FROM dn WHERE id = OLD.dn_id AND (type = 'extension'
	    OR type = 'acd-queue' OR type = 'call-processing-port');
END;

CREATE TRIGGER place_sync_insert AFTER INSERT ON place
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('place', NEW.name);
END;
CREATE TRIGGER place_sync_update AFTER UPDATE ON place
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('place', OLD.name);
	INSERT OR IGNORE INTO sync_dirty VALUES ('place', NEW.name);
	-- a renamed place changes the documents of its persons
	INSERT OR IGNORE INTO sync_dirty SELECT 'person', username
	    FROM person WHERE place_id = NEW.id AND OLD.name IS NOT NEW.name;
END;
CREATE TRIGGER place_sync_delete AFTER DELETE ON place
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('place', OLD.name);
END;

CREATE TRIGGER place_option_sync_insert AFTER INSERT ON place_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', name FROM place WHERE id = NEW.place_id;
END;
CREATE TRIGGER place_option_sync_update AFTER UPDATE ON place_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty SELECT 'place', name FROM place
	    WHERE id IN (OLD.place_id, NEW.place_id);
END;
CREATE TRIGGER place_option_sync_delete AFTER DELETE ON place_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', name FROM place WHERE id = OLD.place_id;
END;

CREATE TRIGGER person_sync_insert AFTER INSERT ON person
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('person', NEW.username);
END;
CREATE TRIGGER person_sync_update AFTER UPDATE ON person
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('person', OLD.username);
	INSERT OR IGNORE INTO sync_dirty VALUES ('person', NEW.username);
END;
CREATE TRIGGER person_sync_delete AFTER DELETE ON person
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('person', OLD.username);
END;

CREATE TRIGGER person_login_sync_insert AFTER INSERT ON person_login
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'person', username FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER person_login_sync_update AFTER UPDATE ON person_login
BEGIN
	INSERT OR IGNORE INTO sync_dirty SELECT 'person', username
	    FROM person WHERE id IN (OLD.person_id, NEW.person_id);
END;
CREATE TRIGGER person_login_sync_delete AFTER DELETE ON person_login
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'person', username FROM person WHERE id = OLD.person_id;
END;

CREATE TRIGGER login_sync_insert AFTER INSERT ON agent_login
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('login', NEW.code);
END;
CREATE TRIGGER login_sync_update AFTER UPDATE ON agent_login
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('login', OLD.code);
	INSERT OR IGNORE INTO sync_dirty VALUES ('login', NEW.code);
	-- a renamed code changes the documents of its holder
	INSERT OR IGNORE INTO sync_dirty SELECT 'person', r.username
	    FROM person_login pl JOIN person r ON r.id = pl.person_id
	    WHERE pl.login_id = NEW.id AND OLD.code IS NOT NEW.code;
END;
CREATE TRIGGER login_sync_delete AFTER DELETE ON agent_login
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('login', OLD.code);
END;

CREATE TRIGGER login_option_sync_insert AFTER INSERT ON login_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'login', code FROM agent_login WHERE id = NEW.login_id;
END;
CREATE TRIGGER login_option_sync_update AFTER UPDATE ON login_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty SELECT 'login', code
	    FROM agent_login WHERE id IN (OLD.login_id, NEW.login_id);
END;
CREATE TRIGGER login_option_sync_delete AFTER DELETE ON login_option
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'login', code FROM agent_login WHERE id = OLD.login_id;
END;

-- objects that existed before this version: everything is to be recorded
INSERT INTO sync_dirty SELECT 'dn', key FROM sync_dn_doc;
INSERT INTO sync_dirty SELECT 'place', key FROM sync_place_doc;
INSERT INTO sync_dirty SELECT 'person', key FROM sync_person_doc;
INSERT INTO sync_dirty SELECT 'login', key FROM sync_login_doc;
