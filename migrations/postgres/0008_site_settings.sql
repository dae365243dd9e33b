-- The association's identity and the site's time zone: one row, read by
-- every page. Empty values mean the defaults (the translated "Newsroom",
-- no tagline, no logo, the stylesheet's accent, UTC). footer is what the
-- administrator wrote, footer_html its sanitised rendering. Public pages
-- show all of it, so its writes notify newsroom_changes like the other
-- tables public pages are made from (0003).
CREATE TABLE site_settings (
    id          integer PRIMARY KEY CHECK (id = 1),
    name        text NOT NULL DEFAULT '',
    tagline     text NOT NULL DEFAULT '',
    logo_id     text NOT NULL DEFAULT '',
    accent      text NOT NULL DEFAULT '',
    website     text NOT NULL DEFAULT '',
    footer      text NOT NULL DEFAULT '',
    footer_html text NOT NULL DEFAULT '',
    time_zone   text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z'
);

INSERT INTO site_settings (id) VALUES (1);

CREATE TRIGGER site_settings_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON site_settings
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_notify_changes();

-- A user's own time zone for the editor; '' follows the site's.
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT '';
