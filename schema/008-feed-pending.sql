-- sipbc site store, schema version 8: objects from the peer site that
-- wait for what they name.
--
-- A document of the peer's feed may name an object this store has not
-- received yet: a person's agent login or default place, a place's DN,
-- carried by a later document.  bcsync applies the object without that
-- reference, records it with the peer's clock and origin but the hash of
-- what it holds (so a diff sees the difference, and it is never sent
-- back as a change of this site), and keeps the peer's document here.
-- Each later document from the peer tries it again; once the object
-- holds the peer's document, its row goes.  A change made here in the
-- meantime wins, and the row is dropped.
CREATE TABLE sync_pending (
	kind		TEXT NOT NULL,
	key		TEXT NOT NULL,
	hlc		INTEGER NOT NULL,
	origin		TEXT NOT NULL,
	hash		TEXT NOT NULL,		-- of the peer's document
	doc		TEXT NOT NULL,
	PRIMARY KEY (kind, key)
) WITHOUT ROWID;
