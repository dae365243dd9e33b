-- changes counts the commits that changed what public pages and documents
-- are made from, whoever made them: this process, the command line or
-- another process on the same file. A serving process polls it and empties
-- its response cache when it moves. The triggers below name those tables;
-- a table that public pages start to show needs its three triggers here.
-- Likes, boosts, followers, replies, deliveries and jobs are not shown on
-- any cached page, so their writes leave the counter, and the caches,
-- alone.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;

INSERT INTO changes (id, n) VALUES (1, 0);

CREATE TRIGGER organisations_insert_changes AFTER INSERT ON organisations BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_update_changes AFTER UPDATE ON organisations BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_delete_changes AFTER DELETE ON organisations BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER posts_insert_changes AFTER INSERT ON posts BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER posts_update_changes AFTER UPDATE ON posts BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER posts_delete_changes AFTER DELETE ON posts BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER post_tags_insert_changes AFTER INSERT ON post_tags BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER post_tags_update_changes AFTER UPDATE ON post_tags BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER post_tags_delete_changes AFTER DELETE ON post_tags BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER post_media_insert_changes AFTER INSERT ON post_media BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER post_media_update_changes AFTER UPDATE ON post_media BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER post_media_delete_changes AFTER DELETE ON post_media BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER media_insert_changes AFTER INSERT ON media BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER media_update_changes AFTER UPDATE ON media BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER media_delete_changes AFTER DELETE ON media BEGIN UPDATE changes SET n = n + 1 WHERE id = 1; END;
