-- The original link of a post imported from an organisation's website
-- feed; '' for a post written here.
ALTER TABLE posts ADD COLUMN source_url TEXT NOT NULL DEFAULT '';
