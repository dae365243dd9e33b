-- Tags are kept as typed ("InclusionNumérique", "inclusion numérique");
-- tag_key is what they are compared by: newsroom.TagKey, the tag without
-- spaces in Unicode lower case, computed in Go (SQLite's lower() changes
-- ASCII letters only, so it could not compute it here). Until now every tag
-- was stored lower-cased by Go's strings.ToLower and could not hold a
-- space, so for the existing rows the key is the tag itself. Tag pages and
-- the post filter look tags up by key.
ALTER TABLE post_tags ADD COLUMN tag_key TEXT NOT NULL DEFAULT '';

UPDATE post_tags SET tag_key = tag;

DROP INDEX post_tags_tag_idx;

CREATE INDEX post_tags_key_idx ON post_tags (tag_key, post_id);
