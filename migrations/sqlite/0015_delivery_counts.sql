-- A fan-out's progress, kept with its rows: how many deliveries of an
-- activity are pending (retrying: those of them that failed at least
-- once), delivered and failed. The editor reads this one row instead of
-- counting up to one row per inbox while the fan-out writes them. The
-- triggers keep it in the same transaction as every write to deliveries,
-- whichever statement makes it: a new delivery, an outcome, compaction's
-- DELETE, the cascade when an activity goes. One row with a column per
-- count, rather than a row per count, so that an outcome is one UPDATE
-- of one row: the trigger runs for every delivery.
CREATE TABLE delivery_counts (
    activity_id TEXT PRIMARY KEY NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    pending     INTEGER NOT NULL DEFAULT 0,
    retrying    INTEGER NOT NULL DEFAULT 0,
    delivered   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
BEGIN
    INSERT INTO delivery_counts (activity_id, pending, retrying, delivered, failed)
    VALUES (NEW.activity_id, NEW.status = 'pending', NEW.status = 'pending' AND NEW.attempts > 0,
        NEW.status = 'delivered', NEW.status = 'failed')
    ON CONFLICT (activity_id) DO UPDATE SET
        pending = pending + excluded.pending, retrying = retrying + excluded.retrying,
        delivered = delivered + excluded.delivered, failed = failed + excluded.failed;
END;

-- Only an update that moves a row to another count does anything; most
-- outcomes do (pending to delivered). The row exists: the delivery was
-- counted when it was written. No code moves a delivery to another
-- activity, so the new row's activity is the old one's.
CREATE TRIGGER deliveries_count_update AFTER UPDATE OF status, attempts ON deliveries
WHEN OLD.status IS NOT NEW.status
  OR (OLD.status = 'pending' AND OLD.attempts > 0) IS NOT (NEW.status = 'pending' AND NEW.attempts > 0)
BEGIN
    UPDATE delivery_counts SET
        pending = pending + (NEW.status = 'pending') - (OLD.status = 'pending'),
        retrying = retrying + (NEW.status = 'pending' AND NEW.attempts > 0) - (OLD.status = 'pending' AND OLD.attempts > 0),
        delivered = delivered + (NEW.status = 'delivered') - (OLD.status = 'delivered'),
        failed = failed + (NEW.status = 'failed') - (OLD.status = 'failed')
    WHERE activity_id = NEW.activity_id;
END;

-- When the activity itself goes, its row may be gone already (the same
-- cascade): an UPDATE then finds nothing to keep.
CREATE TRIGGER deliveries_count_delete AFTER DELETE ON deliveries
BEGIN
    UPDATE delivery_counts SET
        pending = pending - (OLD.status = 'pending'),
        retrying = retrying - (OLD.status = 'pending' AND OLD.attempts > 0),
        delivered = delivered - (OLD.status = 'delivered'),
        failed = failed - (OLD.status = 'failed')
    WHERE activity_id = OLD.activity_id;
END;

-- The deliveries written before this version.
INSERT INTO delivery_counts (activity_id, pending, retrying, delivered, failed)
SELECT activity_id, sum(status = 'pending'), sum(status = 'pending' AND attempts > 0),
    sum(status = 'delivered'), sum(status = 'failed')
FROM deliveries GROUP BY activity_id;
