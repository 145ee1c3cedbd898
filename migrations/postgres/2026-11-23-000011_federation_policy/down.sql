DROP TABLE domain_policy;
ALTER TABLE node_settings DROP COLUMN federation_mode;
