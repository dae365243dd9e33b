-- Who may quote, reply to, like and boost: an organisation's default and
-- a post's own choice ('' = the organisation's). Values: anyone,
-- followers, manual (an editor approves), nobody.
ALTER TABLE organisations ADD COLUMN policy_quote text NOT NULL DEFAULT 'anyone';
ALTER TABLE organisations ADD COLUMN policy_reply text NOT NULL DEFAULT 'anyone';
ALTER TABLE organisations ADD COLUMN policy_like text NOT NULL DEFAULT 'anyone';
ALTER TABLE organisations ADD COLUMN policy_announce text NOT NULL DEFAULT 'anyone';
ALTER TABLE posts ADD COLUMN policy_quote text NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN policy_reply text NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN policy_like text NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN policy_announce text NOT NULL DEFAULT '';

-- Quotes of our posts (FEP-044f QuoteRequest): one row per quoting post,
-- whose id is also our QuoteAuthorization's when approved.
CREATE TABLE quotes (
    id           text PRIMARY KEY,
    request_id   text NOT NULL,
    post_id      text NOT NULL REFERENCES posts (id),
    actor_id     text NOT NULL,
    inbox        text NOT NULL,
    object_id    text NOT NULL,
    url          text NOT NULL DEFAULT '',
    content_html text NOT NULL DEFAULT '',
    status       text NOT NULL, -- pending, approved, rejected, revoked
    created_at   timestamptz NOT NULL,
    decided_at   timestamptz
);

CREATE UNIQUE INDEX quotes_object_idx ON quotes (post_id, object_id);
CREATE INDEX quotes_status_idx ON quotes (status, created_at);
