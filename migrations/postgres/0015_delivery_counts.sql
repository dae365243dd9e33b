-- A fan-out's progress, kept with its rows: how many deliveries of an
-- activity are in each status, pending ones that failed at least once
-- (retrying) apart. The editor reads these few rows instead of counting
-- up to one row per inbox while the fan-out writes them. The triggers
-- keep the counts in the same transaction as every write to deliveries,
-- whichever statement makes it: a new delivery, an outcome, compaction's
-- DELETE, the cascade when an activity goes. A count may stay at 0.
CREATE TABLE delivery_counts (
    activity_id text NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    status      text NOT NULL,
    retrying    boolean NOT NULL,
    n           bigint NOT NULL,
    PRIMARY KEY (activity_id, status, retrying)
);

-- The triggers run once per statement, over the rows it changed: a batch
-- of outcomes (one UPDATE) changes each count it touches once, not once
-- per row. A counter row stays locked until the writer commits, so two
-- writers to one fan-out take turns there; they take its rows in one
-- order (the ORDER BY), so that they never wait for each other in a
-- circle.
CREATE FUNCTION delivery_counts_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_counts AS c (activity_id, status, retrying, n)
    SELECT activity_id, status, status = 'pending' AND attempts > 0, count(*)
    FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (activity_id, status, retrying) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;

-- Only the counts an update moved rows between are written: an outcome
-- that leaves a row where it was counted (a pending row's error
-- changing) locks nothing.
CREATE FUNCTION delivery_counts_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_counts AS c (activity_id, status, retrying, n)
    SELECT activity_id, status, retrying, sum(n) FROM (
        SELECT activity_id, status, status = 'pending' AND attempts > 0 AS retrying, count(*) AS n
        FROM new_rows GROUP BY 1, 2, 3
        UNION ALL
        SELECT activity_id, status, status = 'pending' AND attempts > 0, -count(*)
        FROM old_rows GROUP BY 1, 2, 3
    ) AS moved
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (activity_id, status, retrying) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;

-- An UPDATE, never an insert: when the activity itself goes, its counts
-- may be gone already (the same cascade), and there is nothing to keep.
CREATE FUNCTION delivery_counts_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE delivery_counts AS c SET n = c.n - gone.n
    FROM (
        SELECT activity_id, status, status = 'pending' AND attempts > 0 AS retrying, count(*) AS n
        FROM old_rows GROUP BY 1, 2, 3
    ) AS gone
    WHERE c.activity_id = gone.activity_id AND c.status = gone.status AND c.retrying = gone.retrying;
    RETURN NULL;
END
$$;

CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_insert();
CREATE TRIGGER deliveries_count_update AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_update();
CREATE TRIGGER deliveries_count_delete AFTER DELETE ON deliveries
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_delete();

-- The deliveries written before this version. The triggers above already
-- hold off other writers to deliveries until this commits, so none is
-- missed or counted twice.
INSERT INTO delivery_counts (activity_id, status, retrying, n)
SELECT activity_id, status, status = 'pending' AND attempts > 0, count(*)
FROM deliveries GROUP BY 1, 2, 3;
