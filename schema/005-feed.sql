-- sipbc site store, schema version 5: the change feed that bcsync(8)
-- serves to the peer site.
--
-- Every write of a sync_meta row takes the next value of site.seq, in
-- the transaction that makes the change, so the rows ordered by seq are
-- the site's changes in commit order (an object changed twice keeps only
-- its latest position).  A peer reads "the changes after SEQ".
-- Tombstones purged below site.feed_floor are gone from the feed: a peer
-- whose position is below the floor bootstraps from a snapshot.

ALTER TABLE site ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE site ADD COLUMN feed_floor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_meta ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

-- what existed before: one position, so that "after 0" covers it
UPDATE sync_meta SET seq = 1;
UPDATE site SET seq = 1 WHERE EXISTS (SELECT 1 FROM sync_meta);

CREATE INDEX sync_meta_seq ON sync_meta (seq);

-- bcsync's replication state with each peer site
CREATE TABLE sync_feed (
	peer		TEXT PRIMARY KEY,
	applied		INTEGER NOT NULL DEFAULT 0,	-- its feed, applied here up to
	applied_at	INTEGER NOT NULL DEFAULT 0,	-- unix seconds
	acked		INTEGER NOT NULL DEFAULT 0,	-- our feed, applied there up to
	acked_at	INTEGER NOT NULL DEFAULT 0
);
