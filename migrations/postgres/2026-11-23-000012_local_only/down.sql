ALTER TABLE node_settings DROP COLUMN default_visibility;
ALTER TABLE actor DROP COLUMN local_only;
