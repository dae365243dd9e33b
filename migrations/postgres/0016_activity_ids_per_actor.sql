-- An activity id is unique only in the hands of its actor: another actor
-- of the same server may send the same id, by mistake or to squat an id
-- it can guess (Misskey's Follow ids name the follower and the followee,
-- Mastodon's Like ids are sequential). With the id alone as the key, the
-- first sender's activity shadowed the victim's: its Follow was taken for
-- a replay and never accepted, its Like never counted, and its Undo by id
-- found the other actor's activity. Both tables are keyed by actor and id
-- from now on; a replay of one actor's activity is still a duplicate.
ALTER TABLE inbox_activities DROP CONSTRAINT inbox_activities_pkey;
ALTER TABLE inbox_activities ADD PRIMARY KEY (actor_id, id);

-- The primary key starts with actor_id, so it also serves what
-- interactions_actor_idx did (an actor's deletion), which goes.
ALTER TABLE interactions DROP CONSTRAINT interactions_pkey;
ALTER TABLE interactions ADD PRIMARY KEY (actor_id, activity_id);
DROP INDEX interactions_actor_idx;
