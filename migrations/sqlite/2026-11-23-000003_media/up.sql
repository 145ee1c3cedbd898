-- Media: images people upload (story covers), decoded and re-encoded without their metadata,
-- stored under `data_dir/media/` by a hash of their bytes. A story can have a cover image
-- with its alternative text.

CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uploader_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    -- Hash of the stored bytes and an extension: `{sha256 hex}.jpg`.
    file_name TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX media_uploader ON media (uploader_id);

ALTER TABLE story ADD COLUMN cover_media_id BIGINT REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE story ADD COLUMN cover_alt TEXT;
