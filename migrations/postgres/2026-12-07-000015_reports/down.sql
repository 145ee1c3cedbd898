DROP TABLE actor_suspension;
ALTER TABLE story DROP COLUMN hidden_at;
DROP INDEX report_ap_id;
DROP INDEX report_target_author;
DROP INDEX report_status_id;
DROP TABLE report;
