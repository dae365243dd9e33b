-- An activity id is unique only in the hands of its actor: another actor
-- of the same server may send the same id, by mistake or to squat an id
-- it can guess (Misskey's Follow ids name the follower and the followee,
-- Mastodon's Like ids are sequential). With the id alone as the key, the
-- first sender's activity shadowed the victim's: its Follow was taken for
-- a replay and never accepted, its Like never counted, and its Undo by id
-- found the other actor's activity. Both tables are keyed by actor and id
-- from now on; a replay of one actor's activity is still a duplicate.
--
-- SQLite cannot change a primary key in place, so each table is rebuilt
-- as its documentation's twelve steps say (sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes"). Foreign keys stay on, as
-- a migration's transaction cannot turn them off: no table refers to
-- these two, so dropping them deletes nothing elsewhere, and the rows
-- copied keep the references they were written with. Neither table has a
-- trigger or a view.
CREATE TABLE inbox_activities_new (
    id          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    org_id      INTEGER REFERENCES organisations (id) ON DELETE CASCADE, -- NULL for the shared inbox
    raw         BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (actor_id, id)
) STRICT;

INSERT INTO inbox_activities_new (id, actor_id, type, org_id, raw, received_at)
SELECT id, actor_id, type, org_id, raw, received_at FROM inbox_activities;

DROP TABLE inbox_activities;
ALTER TABLE inbox_activities_new RENAME TO inbox_activities;
CREATE INDEX inbox_activities_received_idx ON inbox_activities (received_at);

-- The primary key starts with actor_id, so it also serves what
-- interactions_actor_idx did (an actor's deletion), which goes.
CREATE TABLE interactions_new (
    activity_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    post_id     TEXT NOT NULL REFERENCES posts (id),
    actor_id    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (actor_id, activity_id),
    UNIQUE (post_id, kind, actor_id)
) STRICT;

INSERT INTO interactions_new (activity_id, kind, post_id, actor_id, created_at)
SELECT activity_id, kind, post_id, actor_id, created_at FROM interactions;

DROP TABLE interactions;
ALTER TABLE interactions_new RENAME TO interactions;
