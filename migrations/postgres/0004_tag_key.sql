-- Tags are kept as typed ("InclusionNumérique", "inclusion numérique");
-- tag_key is what they are compared by: newsroom.TagKey, the tag without
-- spaces in Unicode lower case, computed in Go so that both databases
-- agree (SQLite's lower() changes ASCII letters only). Until now every tag
-- was stored lower-cased by Go's strings.ToLower and could not hold a
-- space, so for the existing rows the key is the tag itself. Tag pages and
-- the post filter look tags up by key.
ALTER TABLE post_tags ADD COLUMN tag_key text;

UPDATE post_tags SET tag_key = tag;

ALTER TABLE post_tags ALTER COLUMN tag_key SET NOT NULL;

DROP INDEX post_tags_tag_idx;

CREATE INDEX post_tags_key_idx ON post_tags (tag_key, post_id);
