ALTER TABLE local_account DROP COLUMN suspension_reason;
ALTER TABLE local_account DROP COLUMN suspended_at;
