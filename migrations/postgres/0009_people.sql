-- People shown as people: the profile page of a remote actor, which is
-- not always its id (Mastodon's is https://host/@user).
ALTER TABLE remote_actors ADD COLUMN url text NOT NULL DEFAULT '';

-- One-time links for an account: an invitation (the account has no
-- password yet) or a password reset. Stored by hash, like sessions.
CREATE TABLE user_tokens (
    token_hash text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL, -- invite or reset
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX user_tokens_user_idx ON user_tokens (user_id);
