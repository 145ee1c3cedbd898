-- Web front: browser sessions, sign-ups that wait for approval, the question asked then.

CREATE TABLE web_session (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES local_account (id) ON DELETE CASCADE,
    -- Hex SHA-256 of the cookie's value; the value itself is never stored.
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX web_session_account ON web_session (account_id);

-- Accounts made while sign-up needs approval wait with approved = FALSE.
ALTER TABLE local_account ADD COLUMN approved BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE local_account ADD COLUMN signup_answer TEXT;
ALTER TABLE node_settings ADD COLUMN signup_question TEXT;
