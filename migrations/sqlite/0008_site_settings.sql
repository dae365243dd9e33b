-- The association's identity and the site's time zone: one row, read by
-- every page. Empty values mean the defaults (the translated "Newsroom",
-- no tagline, no logo, the stylesheet's accent, UTC). footer is what the
-- administrator wrote, footer_html its sanitised rendering. Public pages
-- show all of it, so its writes move the changes counter like the other
-- tables public pages are made from (0003).
CREATE TABLE site_settings (
    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    name        TEXT NOT NULL DEFAULT '',
    tagline     TEXT NOT NULL DEFAULT '',
    logo_id     TEXT NOT NULL DEFAULT '',
    accent      TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    footer      TEXT NOT NULL DEFAULT '',
    footer_html TEXT NOT NULL DEFAULT '',
    time_zone   TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO site_settings (id) VALUES (1);

CREATE TRIGGER site_settings_update_changes AFTER UPDATE ON site_settings BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;

-- A user's own time zone for the editor; '' follows the site's.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
