-- A commit that changed what public pages and documents are made from,
-- whoever made it (this process, the command line, another instance),
-- notifies the channel newsroom_changes; serving processes LISTEN and empty
-- their response cache. NOTIFY inside a transaction is delivered only if
-- it commits, once however many rows or statements fired it. The triggers
-- below name those tables; a table that public pages start to show needs
-- its trigger here. Likes, boosts, followers, replies, deliveries and jobs
-- are not shown on any cached page, so their writes notify nobody.
CREATE FUNCTION newsroom_notify_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('newsroom_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER organisations_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_notify_changes();
CREATE TRIGGER posts_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_notify_changes();
CREATE TRIGGER post_tags_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON post_tags
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_notify_changes();
CREATE TRIGGER post_media_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON post_media
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_notify_changes();
CREATE TRIGGER media_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON media
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_notify_changes();
