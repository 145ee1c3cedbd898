ALTER TABLE node_settings DROP COLUMN signup_question;
ALTER TABLE local_account DROP COLUMN signup_answer;
ALTER TABLE local_account DROP COLUMN approved;
DROP TABLE web_session;
