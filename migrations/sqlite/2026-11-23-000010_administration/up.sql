-- Governing the node: moderators beside admins, and the audit log of every admin and moderator
-- action. The log is append-only: triggers refuse any UPDATE or DELETE, so nothing in the
-- application can rewrite history. It names who acted as text, not a reference, so it outlives
-- deleted accounts.
ALTER TABLE local_account ADD COLUMN moderator BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    -- The account's username when it acted, or 'cli' for the command line (whoever can read the
    -- node's configuration).
    actor TEXT NOT NULL,
    account_id BIGINT,
    -- What was done, dotted: 'domain.block', 'account.suspend', 'report.resolve', ...
    action TEXT NOT NULL,
    -- What it was done to: a domain, @user, a URL.
    target TEXT NOT NULL,
    -- Why, as the person acting wrote it.
    reason TEXT,
    -- Further facts as a JSON object.
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
