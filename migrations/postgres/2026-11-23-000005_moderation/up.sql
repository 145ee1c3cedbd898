-- Moderation: members of an initiative may hide a comment under its stories (reversible, kept
-- on this node); who hid it and when.
ALTER TABLE comment ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE comment ADD COLUMN hidden_by BIGINT REFERENCES actor (id) ON DELETE SET NULL;
