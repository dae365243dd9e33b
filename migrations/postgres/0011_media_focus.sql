-- Where the subject of an image is, as Mastodon's focalPoint: x and y in
-- -1..1 from the centre (x to the right, y up). 0,0 is the centre, which
-- is also what a reader's server assumes when we send nothing.
ALTER TABLE media ADD COLUMN focal_x double precision NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN focal_y double precision NOT NULL DEFAULT 0;
