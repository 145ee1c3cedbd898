ALTER TABLE comment DROP COLUMN hidden_by;
ALTER TABLE comment DROP COLUMN hidden_at;
