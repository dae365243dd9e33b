-- A fan-out that is over keeps its counts and the failures an editor can
-- act on, not one row per inbox reached. A post's fan-out writes its row
-- here once every inbox has its delivery queued; compaction then folds
-- the delivered rows into "delivered" and stamps compacted_at, and the
-- failed rows stay in deliveries. A delivery's progress is this count
-- plus the rows left, before and after compaction alike.
CREATE TABLE delivery_summaries (
    activity_id   text PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    delivered     integer NOT NULL DEFAULT 0,
    fanned_out_at timestamptz NOT NULL,
    compacted_at  timestamptz
);

-- Fan-outs already queued before this version: any still running at the
-- upgrade is minutes old, so those of more than a day are over.
INSERT INTO delivery_summaries (activity_id, fanned_out_at)
SELECT a.id, a.created_at FROM activities AS a
WHERE a.created_at < now() - interval '1 day'
  AND EXISTS (SELECT 1 FROM deliveries AS d WHERE d.activity_id = a.id);

-- reason is what went wrong in a few words an editor's page translates
-- ("refused", "timeout:10", "status:503", "gone:410"…); last_error keeps
-- the technical message. next_attempt_at is when a pending delivery that
-- failed is tried again.
ALTER TABLE deliveries ADD COLUMN reason text NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN next_attempt_at timestamptz;
