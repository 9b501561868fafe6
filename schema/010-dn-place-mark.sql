-- sipbc site store, schema version 10: a DN's update marks its place
-- only when the place's document changes.
--
-- A place's document lists its DNs by type and number
-- (schema/003-sync-metadata.sql, sync_place_doc).  The update trigger of
-- DNs marked the place a DN is in on every update of the DN, an alias
-- or a password too; the commit then built and hashed that place's
-- document again, to find it unchanged.  bcsync applying a document of
-- 20 000 DNs rebuilt 20 000 places that way.  Now the place, old and
-- new, is marked when the DN changes places or identity.
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
	    (OLD.place_id IS NOT NEW.place_id OR OLD.type IS NOT NEW.type OR
	    OLD.number IS NOT NEW.number) AND
	    NOT EXISTS (SELECT 1 FROM sync_load WHERE place < p.id);
END;
