-- Who may quote, reply to, like and boost: an organisation's default and
-- a post's own choice ('' = the organisation's). Values: anyone,
-- followers, manual (an editor approves), nobody.
ALTER TABLE organisations ADD COLUMN policy_quote TEXT NOT NULL DEFAULT 'anyone';
ALTER TABLE organisations ADD COLUMN policy_reply TEXT NOT NULL DEFAULT 'anyone';
ALTER TABLE organisations ADD COLUMN policy_like TEXT NOT NULL DEFAULT 'anyone';
ALTER TABLE organisations ADD COLUMN policy_announce TEXT NOT NULL DEFAULT 'anyone';
ALTER TABLE posts ADD COLUMN policy_quote TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN policy_reply TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN policy_like TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN policy_announce TEXT NOT NULL DEFAULT '';

-- Quotes of our posts (FEP-044f QuoteRequest): one row per quoting post,
-- whose id is also our QuoteAuthorization's when approved.
CREATE TABLE quotes (
    id           TEXT PRIMARY KEY NOT NULL,
    request_id   TEXT NOT NULL,
    post_id      TEXT NOT NULL REFERENCES posts (id),
    actor_id     TEXT NOT NULL,
    inbox        TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL, -- pending, approved, rejected, revoked
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER
) STRICT;

CREATE UNIQUE INDEX quotes_object_idx ON quotes (post_id, object_id);
CREATE INDEX quotes_status_idx ON quotes (status, created_at);
