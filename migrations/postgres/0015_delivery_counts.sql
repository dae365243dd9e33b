-- A fan-out's progress, kept with its rows: how many deliveries of an
-- activity are pending (retrying: those of them that failed at least
-- once), delivered and failed. The editor reads this one row instead of
-- counting up to one row per inbox while the fan-out writes them. The
-- triggers keep it in the same transaction as every write to deliveries,
-- whichever statement makes it: a new delivery, an outcome, compaction's
-- DELETE, the cascade when an activity goes.
CREATE TABLE delivery_counts (
    activity_id text PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    pending     integer NOT NULL DEFAULT 0,
    retrying    integer NOT NULL DEFAULT 0,
    delivered   integer NOT NULL DEFAULT 0,
    failed      integer NOT NULL DEFAULT 0
);

-- The triggers run once per statement, over the rows it changed: a batch
-- of outcomes (one UPDATE) writes each activity's row once, not once per
-- delivery. The row stays locked until the writer commits, so two writers
-- to one fan-out take turns there; they take the rows of several
-- activities in one order (the ORDER BY), so that they never wait for
-- each other in a circle.
CREATE FUNCTION delivery_counts_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_counts AS c (activity_id, pending, retrying, delivered, failed)
    SELECT activity_id, count(*) FILTER (WHERE status = 'pending'),
        count(*) FILTER (WHERE status = 'pending' AND attempts > 0),
        count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'failed')
    FROM new_rows GROUP BY activity_id ORDER BY activity_id
    ON CONFLICT (activity_id) DO UPDATE SET
        pending = c.pending + excluded.pending, retrying = c.retrying + excluded.retrying,
        delivered = c.delivered + excluded.delivered, failed = c.failed + excluded.failed;
    RETURN NULL;
END
$$;

-- Only the rows of activities whose counts moved are written: outcomes
-- that leave every delivery where it was counted (a pending row's error
-- changing) lock nothing. The row exists (the delivery was counted when
-- it was written): the INSERT is there for its ORDER BY, which an
-- UPDATE ... FROM does not keep.
CREATE FUNCTION delivery_counts_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_counts AS c (activity_id, pending, retrying, delivered, failed)
    SELECT activity_id, sum(pending), sum(retrying), sum(delivered), sum(failed)
    FROM (
        SELECT activity_id, (status = 'pending')::int AS pending,
            (status = 'pending' AND attempts > 0)::int AS retrying,
            (status = 'delivered')::int AS delivered, (status = 'failed')::int AS failed
        FROM new_rows
        UNION ALL
        SELECT activity_id, -(status = 'pending')::int, -(status = 'pending' AND attempts > 0)::int,
            -(status = 'delivered')::int, -(status = 'failed')::int
        FROM old_rows
    ) AS each_row
    GROUP BY activity_id
    HAVING sum(pending) <> 0 OR sum(retrying) <> 0 OR sum(delivered) <> 0 OR sum(failed) <> 0
    ORDER BY activity_id
    ON CONFLICT (activity_id) DO UPDATE SET
        pending = c.pending + excluded.pending, retrying = c.retrying + excluded.retrying,
        delivered = c.delivered + excluded.delivered, failed = c.failed + excluded.failed;
    RETURN NULL;
END
$$;

-- When the activity itself goes, its row may be gone already (the same
-- cascade): an UPDATE then finds nothing to keep.
CREATE FUNCTION delivery_counts_remove() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE delivery_counts AS c SET
        pending = c.pending - g.pending, retrying = c.retrying - g.retrying,
        delivered = c.delivered - g.delivered, failed = c.failed - g.failed
    FROM (
        SELECT activity_id, count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS retrying,
            count(*) FILTER (WHERE status = 'delivered') AS delivered,
            count(*) FILTER (WHERE status = 'failed') AS failed
        FROM old_rows GROUP BY activity_id
    ) AS g
    WHERE c.activity_id = g.activity_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_add();
CREATE TRIGGER deliveries_count_update AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_move();
CREATE TRIGGER deliveries_count_delete AFTER DELETE ON deliveries
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_remove();

-- The deliveries written before this version. Creating the triggers
-- above locked deliveries against other writers until this commits, so
-- none is missed or counted twice.
INSERT INTO delivery_counts (activity_id, pending, retrying, delivered, failed)
SELECT activity_id, count(*) FILTER (WHERE status = 'pending'),
    count(*) FILTER (WHERE status = 'pending' AND attempts > 0),
    count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'failed')
FROM deliveries GROUP BY activity_id;
