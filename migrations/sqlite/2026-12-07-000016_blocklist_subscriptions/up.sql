-- Subscriptions to shared blocklists (another node's /api/v1/instance/domain_blocks, or a
-- Mastodon CSV at a URL), fetched periodically. What a list says becomes entries: drafts an
-- admin approves (then they are ordinary blocks in domain_policy) or rejects. Nothing here
-- federates.
CREATE TABLE blocklist_subscription (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    -- Who subscribed: a username or 'cli'.
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- The last fetch: when, how many entries the list had, what went wrong (NULL if nothing).
    fetched_at TIMESTAMP,
    entry_count BIGINT,
    fetch_error TEXT
);

CREATE TABLE blocklist_entry (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id BIGINT NOT NULL REFERENCES blocklist_subscription (id) ON DELETE CASCADE,
    -- Normalised like domain_policy.domain.
    domain TEXT NOT NULL,
    -- What the list says.
    severity TEXT NOT NULL CHECK (severity IN ('silence', 'suspend')),
    comment TEXT,
    -- 'pending': a draft block waiting for an admin; 'approved': blocked here because of the
    -- list; 'rejected': an admin said no (asked again only if the severity changes);
    -- 'removed': approved, then dropped from the list: a draft to lift the block.
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'removed')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (subscription_id, domain)
);
CREATE INDEX blocklist_entry_domain ON blocklist_entry (domain);
