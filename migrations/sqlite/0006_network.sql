-- The member accounts an organisation follows to boost what they publish,
-- and the posts it boosted (or was asked to). tags and langs are the
-- account's rules, space-separated tag keys and language codes, "" for
-- any. A boost is unique per organisation and object, so a Create
-- delivered twice never boosts twice.
CREATE TABLE network_accounts (
    org_id          INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    actor_id        TEXT NOT NULL,
    acct            TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL DEFAULT '',
    inbox           TEXT NOT NULL,
    shared_inbox    TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    follow_id       TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '',
    langs           TEXT NOT NULL DEFAULT '',
    review          INTEGER NOT NULL DEFAULT 0,
    allow_sensitive INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (org_id, actor_id)
) STRICT;

CREATE INDEX network_accounts_actor_idx ON network_accounts (actor_id);

CREATE TABLE boosts (
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    object_id    TEXT NOT NULL,
    announce_id  TEXT NOT NULL DEFAULT '',
    actor_id     TEXT NOT NULL,
    state        TEXT NOT NULL,
    content_html TEXT NOT NULL DEFAULT '',
    author_name  TEXT NOT NULL DEFAULT '',
    author_acct  TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    lang         TEXT NOT NULL DEFAULT '',
    published    INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, object_id)
) STRICT;

CREATE INDEX boosts_listing_idx ON boosts (state, published DESC, object_id DESC);
CREATE INDEX boosts_object_idx ON boosts (object_id);
CREATE INDEX boosts_actor_idx ON boosts (org_id, actor_id, created_at);

-- The public Network page shows boosts: its cached copy is emptied when
-- they change, as for posts (0003).
CREATE TRIGGER boosts_insert_changes AFTER INSERT ON boosts BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER boosts_update_changes AFTER UPDATE ON boosts BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER boosts_delete_changes AFTER DELETE ON boosts BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;

-- Local members: an organisation (the association) may boost the posts of
-- the organisations of this newsroom that allow it, each opting in.
ALTER TABLE organisations ADD COLUMN boosts_members INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN allows_boosts INTEGER NOT NULL DEFAULT 0;
