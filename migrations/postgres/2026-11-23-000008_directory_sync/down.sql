ALTER TABLE known_node DROP COLUMN software;
