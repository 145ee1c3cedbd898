-- Invite links: an admin makes a link that lets people sign up while sign-ups are by invitation
-- (or skips approval), until it expires, is used up or is revoked. The code is shown to admins
-- again, so it is kept as it is.
CREATE TABLE invite (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES local_account (id) ON DELETE SET NULL,
    note TEXT,
    max_uses INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- Who joined with which invite, for the admins.
ALTER TABLE local_account ADD COLUMN invite_id BIGINT REFERENCES invite (id) ON DELETE SET NULL;

-- What the about page (/over) shows beside name and description: the rules, a contact and the
-- languages the node works in (comma-separated language tags, the first is the default).
ALTER TABLE node_settings ADD COLUMN rules TEXT NOT NULL DEFAULT '';
ALTER TABLE node_settings ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE node_settings ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE node_settings ADD COLUMN languages TEXT NOT NULL DEFAULT 'nl,en';
