-- A fan-out's progress, kept with its rows: how many deliveries of an
-- activity are in each status, pending ones that failed at least once
-- (retrying = 1) apart. The editor reads these few rows instead of
-- counting up to one row per inbox while the fan-out writes them. The
-- triggers keep the counts in the same transaction as every write to
-- deliveries, whichever statement makes it: a new delivery, an outcome,
-- compaction's DELETE, the cascade when an activity goes. A count may
-- stay at 0.
CREATE TABLE delivery_counts (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    retrying    INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (activity_id, status, retrying)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
BEGIN
    INSERT INTO delivery_counts (activity_id, status, retrying, n)
    VALUES (NEW.activity_id, NEW.status, NEW.status = 'pending' AND NEW.attempts > 0, 1)
    ON CONFLICT (activity_id, status, retrying) DO UPDATE SET n = n + 1;
END;

-- Only an update that moves a row to another count does anything; most
-- outcomes do (pending to delivered). The old count exists: its row was
-- counted when it was written.
CREATE TRIGGER deliveries_count_update AFTER UPDATE OF activity_id, status, attempts ON deliveries
WHEN OLD.activity_id IS NOT NEW.activity_id OR OLD.status IS NOT NEW.status
  OR (OLD.status = 'pending' AND OLD.attempts > 0) IS NOT (NEW.status = 'pending' AND NEW.attempts > 0)
BEGIN
    UPDATE delivery_counts SET n = n - 1
    WHERE activity_id = OLD.activity_id AND status = OLD.status
      AND retrying = (OLD.status = 'pending' AND OLD.attempts > 0);
    INSERT INTO delivery_counts (activity_id, status, retrying, n)
    VALUES (NEW.activity_id, NEW.status, NEW.status = 'pending' AND NEW.attempts > 0, 1)
    ON CONFLICT (activity_id, status, retrying) DO UPDATE SET n = n + 1;
END;

-- An UPDATE, never an insert: when the activity itself goes, its counts
-- may be gone already (the same cascade), and there is nothing to keep.
CREATE TRIGGER deliveries_count_delete AFTER DELETE ON deliveries
BEGIN
    UPDATE delivery_counts SET n = n - 1
    WHERE activity_id = OLD.activity_id AND status = OLD.status
      AND retrying = (OLD.status = 'pending' AND OLD.attempts > 0);
END;

-- The deliveries written before this version.
INSERT INTO delivery_counts (activity_id, status, retrying, n)
SELECT activity_id, status, status = 'pending' AND attempts > 0, count(*)
FROM deliveries GROUP BY 1, 2, 3;
