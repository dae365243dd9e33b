-- Organisations' website feeds, polled and imported as their posts.
CREATE TABLE feed_sources (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    feed_url      text NOT NULL,
    site_url      text NOT NULL DEFAULT '',
    review        boolean NOT NULL DEFAULT false,
    kind          text NOT NULL,
    backfill      integer NOT NULL,
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    last_poll_at  timestamptz,
    next_poll_at  timestamptz,
    last_status   integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    last_error_key    text NOT NULL DEFAULT '',
    last_error_detail text NOT NULL DEFAULT '',
    imported      integer NOT NULL DEFAULT 0,
    failures      integer NOT NULL DEFAULT 0,
    disabled      boolean NOT NULL DEFAULT false,
    backfilled    boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);

CREATE UNIQUE INDEX feed_sources_org_url_key ON feed_sources (org_id, feed_url);

-- Items are keyed by organisation and GUID, not by feed: a feed that
-- moves (http to https, a redirect) keeps its items.
CREATE TABLE feed_items (
    org_id       bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    guid_hash    text NOT NULL,
    source_id    bigint,
    post_id      text NOT NULL DEFAULT '',
    content_hash text NOT NULL,
    delivered    boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, guid_hash)
);
