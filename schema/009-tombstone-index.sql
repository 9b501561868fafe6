-- sipbc site store, schema version 9: the tombstones, indexed.
--
-- The peer's acknowledgement and bcsync's periodic purge look for the
-- tombstones that may go (core/feed.c: deleted, and applied by the peer
-- or older than [sync] retain).  Tombstones are few beside the live
-- objects; with this partial index those look-ups read only them, not
-- the metadata of every object (40 ms to 1 ms at 403 000 objects).
CREATE INDEX sync_meta_tomb ON sync_meta (seq) WHERE deleted = 1;
