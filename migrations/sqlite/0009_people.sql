-- People shown as people: the profile page of a remote actor, which is
-- not always its id (Mastodon's is https://host/@user).
ALTER TABLE remote_actors ADD COLUMN url TEXT NOT NULL DEFAULT '';

-- One-time links for an account: an invitation (the account has no
-- password yet) or a password reset. Stored by hash, like sessions.
CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL, -- invite or reset
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX user_tokens_user_idx ON user_tokens (user_id);
