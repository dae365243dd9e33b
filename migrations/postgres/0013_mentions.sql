-- The accounts a post mentions, resolved when it was saved: publishing
-- (now or when scheduled) uses them as they are, with no network.
CREATE TABLE post_mentions (
    post_id  text NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position integer NOT NULL,
    name     text NOT NULL,
    actor_id text NOT NULL,
    url      text NOT NULL DEFAULT '',
    inbox    text NOT NULL DEFAULT '',
    PRIMARY KEY (post_id, position)
);

-- Followers by server: the partial followers collection of one server,
-- and the digests sent with each delivery batch (FEP-8fcf).
CREATE INDEX followers_org_host_idx ON followers (org_id, host);
