-- Initial schema. Times are INTEGER microseconds since the Unix epoch, UTC,
-- so they sort and compare as numbers; NULL where the domain has a zero
-- time. Booleans are INTEGER 0 or 1.

CREATE TABLE media (
    id         TEXT PRIMARY KEY NOT NULL, -- hex SHA-256 of the bytes
    mime_type  TEXT NOT NULL,
    width      INTEGER NOT NULL DEFAULT 0,
    height     INTEGER NOT NULL DEFAULT 0,
    size       INTEGER NOT NULL DEFAULT 0,
    blurhash   TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE organisations (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    handle              TEXT NOT NULL,
    name                TEXT NOT NULL,
    bio                 TEXT NOT NULL DEFAULT '',
    website             TEXT NOT NULL DEFAULT '',
    contact_email       TEXT NOT NULL DEFAULT '',
    actor_type          TEXT NOT NULL,
    default_lang        TEXT NOT NULL,
    default_object_type TEXT NOT NULL,
    icon_media_id       TEXT NOT NULL DEFAULT '',
    banner_media_id     TEXT NOT NULL DEFAULT '',
    public_key_pem      TEXT NOT NULL DEFAULT '',
    private_key_pem     TEXT NOT NULL DEFAULT '',
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX organisations_handle_key ON organisations (lower(handle));

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    is_admin      INTEGER NOT NULL DEFAULT 0,
    lang          TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE user_orgs (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id  INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, org_id)
) STRICT;

CREATE INDEX user_orgs_org_idx ON user_orgs (org_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE posts (
    id              TEXT PRIMARY KEY NOT NULL, -- ULID, never reused
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    object_type     TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    body_md         TEXT NOT NULL DEFAULT '',
    body_html       TEXT NOT NULL DEFAULT '',
    has_translation INTEGER NOT NULL DEFAULT 0,
    tr_lang         TEXT NOT NULL DEFAULT '',
    tr_title        TEXT NOT NULL DEFAULT '',
    tr_summary      TEXT NOT NULL DEFAULT '',
    tr_body_md      TEXT NOT NULL DEFAULT '',
    tr_body_html    TEXT NOT NULL DEFAULT '',
    content_warning TEXT NOT NULL DEFAULT '',
    has_event       INTEGER NOT NULL DEFAULT 0,
    event_start     INTEGER,
    event_end       INTEGER,
    event_timezone  TEXT NOT NULL DEFAULT '',
    event_place     TEXT NOT NULL DEFAULT '',
    event_street    TEXT NOT NULL DEFAULT '',
    event_postcode  TEXT NOT NULL DEFAULT '',
    event_locality  TEXT NOT NULL DEFAULT '',
    event_region    TEXT NOT NULL DEFAULT '',
    event_country   TEXT NOT NULL DEFAULT '',
    event_online    TEXT NOT NULL DEFAULT '',
    event_status    TEXT NOT NULL DEFAULT '',
    author_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    publish_at      INTEGER,
    published_at    INTEGER,
    updated_at      INTEGER,
    created_at      INTEGER NOT NULL,
    deleted_at      INTEGER,
    version         INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX posts_org_listing_idx ON posts (org_id, status, published_at DESC, id DESC);
CREATE INDEX posts_listing_idx ON posts (status, published_at DESC, id DESC);
CREATE INDEX posts_events_idx ON posts (kind, event_start) WHERE has_event = 1;
CREATE INDEX posts_author_idx ON posts (author_id);

CREATE TABLE post_tags (
    post_id  TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag)
) STRICT;

CREATE INDEX post_tags_tag_idx ON post_tags (tag, post_id);

CREATE TABLE post_media (
    post_id  TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    media_id TEXT NOT NULL REFERENCES media (id),
    alt      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (post_id, position)
) STRICT;

CREATE INDEX post_media_media_idx ON post_media (media_id);

CREATE TABLE remote_actors (
    id                 TEXT PRIMARY KEY NOT NULL,
    host               TEXT NOT NULL,
    type               TEXT NOT NULL DEFAULT '',
    preferred_username TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL DEFAULT '',
    inbox              TEXT NOT NULL DEFAULT '',
    shared_inbox       TEXT NOT NULL DEFAULT '',
    key_id             TEXT NOT NULL DEFAULT '',
    public_key_pem     TEXT NOT NULL DEFAULT '',
    fetched_at         INTEGER NOT NULL
) STRICT;

CREATE INDEX remote_actors_key_idx ON remote_actors (key_id);
CREATE INDEX remote_actors_host_idx ON remote_actors (host);

-- inbox_host is the host of the inbox deliveries go to (shared inbox
-- preferred); domain health is tracked by that host.
CREATE TABLE followers (
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    actor_id     TEXT NOT NULL,
    host         TEXT NOT NULL,
    inbox        TEXT NOT NULL,
    shared_inbox TEXT NOT NULL DEFAULT '',
    inbox_host   TEXT NOT NULL DEFAULT '',
    follow_id    TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, actor_id)
) STRICT;

CREATE INDEX followers_org_created_idx ON followers (org_id, created_at, actor_id);
CREATE INDEX followers_actor_idx ON followers (actor_id);
CREATE INDEX followers_inbox_idx ON followers (inbox);
CREATE INDEX followers_shared_inbox_idx ON followers (shared_inbox);
CREATE INDEX followers_host_idx ON followers (host);

CREATE TABLE interactions (
    activity_id TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    post_id     TEXT NOT NULL REFERENCES posts (id),
    actor_id    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (post_id, kind, actor_id)
) STRICT;

CREATE INDEX interactions_actor_idx ON interactions (actor_id);

CREATE TABLE replies (
    object_id    TEXT PRIMARY KEY NOT NULL,
    activity_id  TEXT NOT NULL DEFAULT '',
    post_id      TEXT NOT NULL REFERENCES posts (id),
    actor_id     TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    published    INTEGER,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX replies_post_idx ON replies (post_id, status, published);
CREATE INDEX replies_actor_idx ON replies (actor_id);

CREATE TABLE inbox_activities (
    id          TEXT PRIMARY KEY NOT NULL,
    actor_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    org_id      INTEGER REFERENCES organisations (id) ON DELETE CASCADE, -- NULL for the shared inbox
    raw         BLOB NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

CREATE INDEX inbox_activities_received_idx ON inbox_activities (received_at);

-- json is kept byte for byte as delivered and served.
CREATE TABLE activities (
    id         TEXT PRIMARY KEY NOT NULL, -- ULID
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    type       TEXT NOT NULL,
    post_id    TEXT REFERENCES posts (id),
    json       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX activities_org_type_idx ON activities (org_id, type, created_at DESC, id DESC);
CREATE INDEX activities_post_idx ON activities (post_id);

CREATE TABLE deliveries (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    inbox       TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, inbox)
) STRICT;

CREATE INDEX deliveries_activity_status_idx ON deliveries (activity_id, status);

CREATE TABLE domain_blocks (
    domain     TEXT PRIMARY KEY NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE domain_health (
    host         TEXT PRIMARY KEY NOT NULL,
    failure_days INTEGER NOT NULL DEFAULT 0,
    last_failure INTEGER NOT NULL,
    unavailable  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One row per host and UTC day with a failed delivery, so failure_days
-- counts distinct days whatever order failures are reported in.
CREATE TABLE domain_failure_days (
    host TEXT NOT NULL REFERENCES domain_health (host) ON DELETE CASCADE,
    day  TEXT NOT NULL, -- YYYY-MM-DD
    PRIMARY KEY (host, day)
) STRICT;
