-- Account deletion (AVG/GDPR): what happens to a deleted person's stories and comments on this
-- node. `anonymise` keeps them, shown as by a deleted account; `remove` deletes them here and
-- everywhere they were delivered. The person's actor stays as a tombstone either way, so that
-- the username is never given to someone else.
ALTER TABLE node_settings ADD COLUMN account_deletion_content TEXT NOT NULL DEFAULT 'anonymise'
    CHECK (account_deletion_content IN ('anonymise', 'remove'));
