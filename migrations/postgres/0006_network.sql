-- The member accounts an organisation follows to boost what they publish,
-- and the posts it boosted (or was asked to). tags and langs are the
-- account's rules, space-separated tag keys and language codes, "" for
-- any. A boost is unique per organisation and object, so a Create
-- delivered twice never boosts twice.
CREATE TABLE network_accounts (
    org_id          bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    actor_id        text NOT NULL,
    acct            text NOT NULL DEFAULT '',
    name            text NOT NULL DEFAULT '',
    inbox           text NOT NULL,
    shared_inbox    text NOT NULL DEFAULT '',
    state           text NOT NULL,
    follow_id       text NOT NULL DEFAULT '',
    tags            text NOT NULL DEFAULT '',
    langs           text NOT NULL DEFAULT '',
    review          boolean NOT NULL DEFAULT false,
    allow_sensitive boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, actor_id)
);

CREATE INDEX network_accounts_actor_idx ON network_accounts (actor_id);

CREATE TABLE boosts (
    org_id       bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    object_id    text NOT NULL,
    announce_id  text NOT NULL DEFAULT '',
    actor_id     text NOT NULL,
    state        text NOT NULL,
    content_html text NOT NULL DEFAULT '',
    author_name  text NOT NULL DEFAULT '',
    author_acct  text NOT NULL DEFAULT '',
    url          text NOT NULL DEFAULT '',
    lang         text NOT NULL DEFAULT '',
    published    timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, object_id)
);

CREATE INDEX boosts_listing_idx ON boosts (state, published DESC, object_id DESC);
CREATE INDEX boosts_object_idx ON boosts (object_id);
CREATE INDEX boosts_actor_idx ON boosts (org_id, actor_id, created_at);

-- The public Network page shows boosts: its cached copy is emptied when
-- they change, as for posts (0003).
CREATE TRIGGER boosts_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON boosts
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_notify_changes();

-- Local members: an organisation (the association) may boost the posts of
-- the organisations of this newsroom that allow it, each opting in.
ALTER TABLE organisations ADD COLUMN boosts_members boolean NOT NULL DEFAULT false;
ALTER TABLE organisations ADD COLUMN allows_boosts boolean NOT NULL DEFAULT false;
