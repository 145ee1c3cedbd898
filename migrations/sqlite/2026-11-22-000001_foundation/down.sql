DROP TABLE api_token;
DROP TABLE local_account;
DROP TABLE person;
DROP TABLE node_settings;
