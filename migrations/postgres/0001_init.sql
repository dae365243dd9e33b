-- Initial schema. Times are timestamptz, NULL where the domain has a zero
-- time.

CREATE TABLE media (
    id         text PRIMARY KEY, -- hex SHA-256 of the bytes
    mime_type  text NOT NULL,
    width      integer NOT NULL DEFAULT 0,
    height     integer NOT NULL DEFAULT 0,
    size       bigint NOT NULL DEFAULT 0,
    blurhash   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE TABLE organisations (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle              text NOT NULL,
    name                text NOT NULL,
    bio                 text NOT NULL DEFAULT '',
    website             text NOT NULL DEFAULT '',
    contact_email       text NOT NULL DEFAULT '',
    actor_type          text NOT NULL,
    default_lang        text NOT NULL,
    default_object_type text NOT NULL,
    icon_media_id       text NOT NULL DEFAULT '',
    banner_media_id     text NOT NULL DEFAULT '',
    public_key_pem      text NOT NULL DEFAULT '',
    private_key_pem     text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE UNIQUE INDEX organisations_handle_key ON organisations (lower(handle));

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL DEFAULT '',
    password_hash text NOT NULL DEFAULT '',
    is_admin      boolean NOT NULL DEFAULT false,
    lang          text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE user_orgs (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id  bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, org_id)
);

CREATE INDEX user_orgs_org_idx ON user_orgs (org_id);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE setup_tokens (
    token_hash text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE posts (
    id              text PRIMARY KEY, -- ULID, never reused
    org_id          bigint NOT NULL REFERENCES organisations (id),
    kind            text NOT NULL,
    status          text NOT NULL,
    object_type     text NOT NULL DEFAULT '',
    lang            text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    summary         text NOT NULL DEFAULT '',
    body_md         text NOT NULL DEFAULT '',
    body_html       text NOT NULL DEFAULT '',
    has_translation boolean NOT NULL DEFAULT false,
    tr_lang         text NOT NULL DEFAULT '',
    tr_title        text NOT NULL DEFAULT '',
    tr_summary      text NOT NULL DEFAULT '',
    tr_body_md      text NOT NULL DEFAULT '',
    tr_body_html    text NOT NULL DEFAULT '',
    content_warning text NOT NULL DEFAULT '',
    has_event       boolean NOT NULL DEFAULT false,
    event_start     timestamptz,
    event_end       timestamptz,
    event_timezone  text NOT NULL DEFAULT '',
    event_place     text NOT NULL DEFAULT '',
    event_street    text NOT NULL DEFAULT '',
    event_postcode  text NOT NULL DEFAULT '',
    event_locality  text NOT NULL DEFAULT '',
    event_region    text NOT NULL DEFAULT '',
    event_country   text NOT NULL DEFAULT '',
    event_online    text NOT NULL DEFAULT '',
    event_status    text NOT NULL DEFAULT '',
    author_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    publish_at      timestamptz,
    published_at    timestamptz,
    updated_at      timestamptz,
    created_at      timestamptz NOT NULL,
    deleted_at      timestamptz,
    version         bigint NOT NULL DEFAULT 1
);

CREATE INDEX posts_org_listing_idx ON posts (org_id, status, published_at DESC NULLS LAST, id DESC);
CREATE INDEX posts_listing_idx ON posts (status, published_at DESC NULLS LAST, id DESC);
CREATE INDEX posts_events_idx ON posts (kind, event_start) WHERE has_event;
CREATE INDEX posts_author_idx ON posts (author_id);

CREATE TABLE post_tags (
    post_id  text NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag      text NOT NULL,
    position integer NOT NULL,
    PRIMARY KEY (post_id, tag)
);

CREATE INDEX post_tags_tag_idx ON post_tags (tag, post_id);

CREATE TABLE post_media (
    post_id  text NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position integer NOT NULL,
    media_id text NOT NULL REFERENCES media (id),
    alt      text NOT NULL DEFAULT '',
    PRIMARY KEY (post_id, position)
);

CREATE INDEX post_media_media_idx ON post_media (media_id);

CREATE TABLE remote_actors (
    id                 text PRIMARY KEY,
    host               text NOT NULL,
    type               text NOT NULL DEFAULT '',
    preferred_username text NOT NULL DEFAULT '',
    name               text NOT NULL DEFAULT '',
    inbox              text NOT NULL DEFAULT '',
    shared_inbox       text NOT NULL DEFAULT '',
    key_id             text NOT NULL DEFAULT '',
    public_key_pem     text NOT NULL DEFAULT '',
    fetched_at         timestamptz NOT NULL
);

CREATE INDEX remote_actors_key_idx ON remote_actors (key_id);
CREATE INDEX remote_actors_host_idx ON remote_actors (host);

-- inbox_host is the host of the inbox deliveries go to (shared inbox
-- preferred); domain health is tracked by that host.
CREATE TABLE followers (
    org_id       bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    actor_id     text NOT NULL,
    host         text NOT NULL,
    inbox        text NOT NULL,
    shared_inbox text NOT NULL DEFAULT '',
    inbox_host   text NOT NULL DEFAULT '',
    follow_id    text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, actor_id)
);

CREATE INDEX followers_org_created_idx ON followers (org_id, created_at, actor_id);
CREATE INDEX followers_actor_idx ON followers (actor_id);
CREATE INDEX followers_inbox_idx ON followers (inbox);
CREATE INDEX followers_shared_inbox_idx ON followers (shared_inbox);
CREATE INDEX followers_host_idx ON followers (host);

CREATE TABLE interactions (
    activity_id text PRIMARY KEY,
    kind        text NOT NULL,
    post_id     text NOT NULL REFERENCES posts (id),
    actor_id    text NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (post_id, kind, actor_id)
);

CREATE INDEX interactions_actor_idx ON interactions (actor_id);

CREATE TABLE replies (
    object_id    text PRIMARY KEY,
    activity_id  text NOT NULL DEFAULT '',
    post_id      text NOT NULL REFERENCES posts (id),
    actor_id     text NOT NULL,
    url          text NOT NULL DEFAULT '',
    content_html text NOT NULL DEFAULT '',
    status       text NOT NULL,
    published    timestamptz,
    created_at   timestamptz NOT NULL
);

CREATE INDEX replies_post_idx ON replies (post_id, status, published);
CREATE INDEX replies_actor_idx ON replies (actor_id);

-- raw is kept byte for byte as received, hence bytea rather than jsonb.
CREATE TABLE inbox_activities (
    id          text PRIMARY KEY,
    actor_id    text NOT NULL,
    type        text NOT NULL,
    org_id      bigint REFERENCES organisations (id) ON DELETE CASCADE, -- NULL for the shared inbox
    raw         bytea NOT NULL,
    received_at timestamptz NOT NULL
);

CREATE INDEX inbox_activities_received_idx ON inbox_activities (received_at);

-- json is kept byte for byte as delivered and served (signatures and
-- digests cover these exact bytes), hence bytea rather than jsonb.
CREATE TABLE activities (
    id         text PRIMARY KEY, -- ULID
    org_id     bigint NOT NULL REFERENCES organisations (id),
    type       text NOT NULL,
    post_id    text REFERENCES posts (id),
    json       bytea NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX activities_org_type_idx ON activities (org_id, type, created_at DESC, id DESC);
CREATE INDEX activities_post_idx ON activities (post_id);

CREATE TABLE deliveries (
    activity_id text NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    inbox       text NOT NULL,
    status      text NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (activity_id, inbox)
);

CREATE INDEX deliveries_activity_status_idx ON deliveries (activity_id, status);

CREATE TABLE domain_blocks (
    domain     text PRIMARY KEY,
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE TABLE domain_health (
    host         text PRIMARY KEY,
    failure_days integer NOT NULL DEFAULT 0,
    last_failure timestamptz NOT NULL,
    unavailable  boolean NOT NULL DEFAULT false
);

-- One row per host and UTC day with a failed delivery, so failure_days
-- counts distinct days whatever order failures are reported in.
CREATE TABLE domain_failure_days (
    host text NOT NULL REFERENCES domain_health (host) ON DELETE CASCADE,
    day  date NOT NULL,
    PRIMARY KEY (host, day)
);
