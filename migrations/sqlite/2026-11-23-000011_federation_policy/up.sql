-- Federation policy: which servers this node federates with. The node's mode ('open': everyone
-- except suspended domains; 'blocklist': the same, named for a node that curates its list;
-- 'allowlist': only allowed domains) and one row per domain rule. A rule covers the domain and
-- its subdomains; a domain may carry a port ('localhost:3001') so loopback tests can tell nodes
-- apart. Nothing here federates.
ALTER TABLE node_settings ADD COLUMN federation_mode TEXT NOT NULL DEFAULT 'open'
    CHECK (federation_mode IN ('open', 'blocklist', 'allowlist'));

CREATE TABLE domain_policy (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lower case, ASCII (IDNA), no trailing dot, optionally ':port'.
    domain TEXT NOT NULL,
    -- 'block' or 'allow'; a domain can have one of each.
    kind TEXT NOT NULL CHECK (kind IN ('block', 'allow')),
    -- Blocks only: 'silence' (nothing of theirs shown publicly) or 'suspend' (nothing in or out).
    severity TEXT CHECK (severity IN ('silence', 'suspend')),
    -- Shown to anyone who asks (and exported); the private one stays with the admins.
    public_comment TEXT,
    private_comment TEXT,
    -- Who made or last changed the rule: a username or 'cli'.
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((kind = 'block') = (severity IS NOT NULL)),
    UNIQUE (domain, kind)
);
