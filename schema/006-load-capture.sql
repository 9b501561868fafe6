-- sipbc site store, schema version 6: cheaper change capture for loads
-- (generators, XML import), and an index that gives each place's DNs in
-- document order.
--
-- A load (bc_tx_begin_load() in the library) writes one row into
-- sync_load inside its transaction: the highest row id of each object
-- table when it began.  While that row exists the insert triggers below
-- do not mark rows created by the load (id above the mark) nor the
-- parents of their child rows: the library records every such object in
-- one set-based pass over the sync_*_doc views when it commits (core/
-- meta.c), and deletes the row before the commit, so the row is never
-- seen outside the load's own transaction.  Objects that existed before
-- the load are still marked row by row, and so is every write made
-- outside a load (the sqlite3 shell): sync_load is then empty and these
-- triggers mark exactly what those of version 3 marked.

CREATE TABLE sync_load (
	dn		INTEGER NOT NULL,	-- max(dn.id) when the load began
	place		INTEGER NOT NULL,
	person		INTEGER NOT NULL,
	login		INTEGER NOT NULL	-- max(agent_login.id)
);

-- the place's DNs by (type, number): the place document and 'place show'
-- read them in that order without sorting
DROP INDEX dn_place;
CREATE INDEX dn_place ON dn(place_id, type, number);

-- ---- the documents, now with the row id (the load's pass selects new
-- rows by id); the documents themselves are unchanged, byte for byte
DROP VIEW sync_dn_doc;
CREATE VIEW sync_dn_doc AS
SELECT d.type AS type, d.number AS number, d.type || ':' || d.number AS key,
    json_object('type', d.type, 'number', d.number, 'alias', d.alias,
	'register', d.register, 'password', d.password,
	'enabled', d.enabled,
	'option', (SELECT json_group_object(o.section || '/' || o.key,
	    o.value) FROM (SELECT section, key, value FROM dn_option
	    WHERE dn_id = d.id ORDER BY section, key) o)) AS doc,
    d.id AS id
FROM dn d
WHERE d.type = 'extension' OR d.type = 'acd-queue' OR
    d.type = 'call-processing-port';

DROP VIEW sync_place_doc;
CREATE VIEW sync_place_doc AS
SELECT p.name AS key,
    json_object('name', p.name, 'enabled', p.enabled,
	'dn', (SELECT json_group_array(x.type || ':' || x.number)
	    FROM (SELECT type, number FROM dn WHERE place_id = p.id
	    ORDER BY type, number) x),
	'option', (SELECT json_group_object(o.section || '/' || o.key,
	    o.value) FROM (SELECT section, key, value FROM place_option
	    WHERE place_id = p.id ORDER BY section, key) o)) AS doc,
    p.id AS id
FROM place p;

DROP VIEW sync_person_doc;
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
	    WHERE pl.person_id = r.id ORDER BY l.code) x)) AS doc,
    r.id AS id
FROM person r;

DROP VIEW sync_login_doc;
CREATE VIEW sync_login_doc AS
SELECT l.code AS key,
    json_object('code', l.code, 'password', l.password,
	'override', l.override, 'use-override', l.use_override,
	'enabled', l.enabled,
	'option', (SELECT json_group_object(o.section || '/' || o.key,
	    o.value) FROM (SELECT section, key, value FROM login_option
	    WHERE login_id = l.id ORDER BY section, key) o)) AS doc,
    l.id AS id
FROM agent_login l;

-- ---- change capture: the triggers of version 3 that a load skips -----
-- "NOT EXISTS (SELECT 1 FROM sync_load WHERE k < ID)": no load running,
-- or the object of kind k with row id ID existed before it.

DROP TRIGGER dn_sync_insert;
CREATE TRIGGER dn_sync_insert AFTER INSERT ON dn
WHEN (NEW.type = 'extension' OR NEW.type = 'acd-queue' OR
    NEW.type = 'call-processing-port')
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'dn', NEW.type || ':' || NEW.number
	    WHERE NOT EXISTS (SELECT 1 FROM sync_load WHERE dn < NEW.id);
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', name FROM place WHERE id = NEW.place_id
	    AND NOT EXISTS (SELECT 1 FROM sync_load
	    WHERE place < NEW.place_id);
END;

DROP TRIGGER dn_sync_update;
CREATE TRIGGER dn_sync_update AFTER UPDATE ON dn
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'dn', OLD.type || ':' || OLD.number
	    WHERE (OLD.type = 'extension' OR OLD.type = 'acd-queue' OR
	    OLD.type = 'call-processing-port') AND
	    NOT EXISTS (SELECT 1 FROM sync_load WHERE dn < OLD.id);
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'dn', NEW.type || ':' || NEW.number
	    WHERE (NEW.type = 'extension' OR NEW.type = 'acd-queue' OR
	    NEW.type = 'call-processing-port') AND
	    NOT EXISTS (SELECT 1 FROM sync_load WHERE dn < NEW.id);
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', p.name FROM place p
	    WHERE p.id IN (OLD.place_id, NEW.place_id) AND
	    NOT EXISTS (SELECT 1 FROM sync_load WHERE place < p.id);
END;

DROP TRIGGER dn_option_sync_insert;
CREATE TRIGGER dn_option_sync_insert AFTER INSERT ON dn_option
WHEN NOT EXISTS (SELECT 1 FROM sync_load WHERE dn < NEW.dn_id)
BEGIN
	INSERT OR IGNORE INTO sync_dirty SELECT 'dn', type || ':' || number
	    FROM dn WHERE id = NEW.dn_id AND (type = 'extension'
	    OR type = 'acd-queue' OR type = 'call-processing-port');
END;

DROP TRIGGER place_sync_insert;
CREATE TRIGGER place_sync_insert AFTER INSERT ON place
WHEN NOT EXISTS (SELECT 1 FROM sync_load WHERE place < NEW.id)
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('place', NEW.name);
END;

DROP TRIGGER place_option_sync_insert;
CREATE TRIGGER place_option_sync_insert AFTER INSERT ON place_option
WHEN NOT EXISTS (SELECT 1 FROM sync_load WHERE place < NEW.place_id)
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'place', name FROM place WHERE id = NEW.place_id;
END;

DROP TRIGGER person_sync_insert;
CREATE TRIGGER person_sync_insert AFTER INSERT ON person
WHEN NOT EXISTS (SELECT 1 FROM sync_load WHERE person < NEW.id)
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('person', NEW.username);
END;

DROP TRIGGER person_login_sync_insert;
CREATE TRIGGER person_login_sync_insert AFTER INSERT ON person_login
WHEN NOT EXISTS (SELECT 1 FROM sync_load WHERE person < NEW.person_id)
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'person', username FROM person WHERE id = NEW.person_id;
END;

DROP TRIGGER login_sync_insert;
CREATE TRIGGER login_sync_insert AFTER INSERT ON agent_login
WHEN NOT EXISTS (SELECT 1 FROM sync_load WHERE login < NEW.id)
BEGIN
	INSERT OR IGNORE INTO sync_dirty VALUES ('login', NEW.code);
END;

DROP TRIGGER login_option_sync_insert;
CREATE TRIGGER login_option_sync_insert AFTER INSERT ON login_option
WHEN NOT EXISTS (SELECT 1 FROM sync_load WHERE login < NEW.login_id)
BEGIN
	INSERT OR IGNORE INTO sync_dirty
	    SELECT 'login', code FROM agent_login WHERE id = NEW.login_id;
END;
