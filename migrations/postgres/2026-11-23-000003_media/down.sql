ALTER TABLE story DROP COLUMN cover_alt;
ALTER TABLE story DROP COLUMN cover_media_id;
DROP TABLE media;
