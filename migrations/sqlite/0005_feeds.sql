-- Organisations' website feeds, polled and imported as their posts.
CREATE TABLE feed_sources (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    feed_url      TEXT NOT NULL,
    site_url      TEXT NOT NULL DEFAULT '',
    review        INTEGER NOT NULL DEFAULT 0,
    kind          TEXT NOT NULL,
    backfill      INTEGER NOT NULL,
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_poll_at  INTEGER,
    next_poll_at  INTEGER,
    last_status   INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    last_error_key    TEXT NOT NULL DEFAULT '',
    last_error_detail TEXT NOT NULL DEFAULT '',
    imported      INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    backfilled    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX feed_sources_org_url_key ON feed_sources (org_id, feed_url);

-- Items are keyed by organisation and GUID, not by feed: a feed that
-- moves (http to https, a redirect) keeps its items.
CREATE TABLE feed_items (
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    guid_hash    TEXT NOT NULL,
    source_id    INTEGER,
    post_id      TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    delivered    INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, guid_hash)
) STRICT;
