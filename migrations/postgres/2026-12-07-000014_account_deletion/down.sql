ALTER TABLE node_settings DROP COLUMN account_deletion_content;
