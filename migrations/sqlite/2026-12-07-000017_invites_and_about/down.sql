ALTER TABLE node_settings DROP COLUMN languages;
ALTER TABLE node_settings DROP COLUMN contact_email;
ALTER TABLE node_settings DROP COLUMN contact_name;
ALTER TABLE node_settings DROP COLUMN rules;
ALTER TABLE local_account DROP COLUMN invite_id;
DROP TABLE invite;
