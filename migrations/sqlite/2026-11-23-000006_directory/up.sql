-- Discovery across regions: the Kwartier nodes this node knows (and how syncing their
-- directories goes), the local index of every node's discoverable initiatives and groups (this
-- node's own included) that network-wide search answers from, and this node's own published
-- directory as a change feed so peers fetch only what changed.

CREATE TABLE known_node (
    -- host[:port], as in actor ids.
    domain TEXT PRIMARY KEY,
    -- How we learned of it: 'seed' (an admin), 'traffic' (federation), 'peer' (a peer's list).
    source TEXT NOT NULL CHECK (source IN ('seed', 'traffic', 'peer')),
    -- The node whose list named it (source 'peer').
    learned_from TEXT,
    -- From its Application actor: where its directory and its node list are.
    actor_url TEXT,
    directory_url TEXT,
    nodes_url TEXT,
    -- Region metadata it publishes.
    name TEXT,
    region_codes TEXT NOT NULL DEFAULT '',
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    -- The position in its directory's change feed we have synced up to (opaque to us).
    cursor TEXT,
    last_synced_at TIMESTAMP,
    next_sync_at TIMESTAMP NOT NULL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    -- Set after failing for long enough; dead nodes are still tried, rarely.
    dead_since TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX known_node_due ON known_node (next_sync_at);

CREATE TABLE directory_entry (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL UNIQUE,
    -- The hosting node's domain (host[:port]).
    node TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('initiative', 'group')),
    name TEXT NOT NULL,
    -- user@domain, to follow it from anywhere.
    handle TEXT NOT NULL,
    summary TEXT NOT NULL,
    url TEXT,
    place_name TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    follower_count BIGINT NOT NULL DEFAULT 0,
    last_activity_at TIMESTAMP,
    -- As the source published it.
    updated_at TIMESTAMP NOT NULL,
    synced_at TIMESTAMP NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX directory_entry_node ON directory_entry (node);
CREATE INDEX directory_entry_position ON directory_entry (latitude, longitude);

-- Themes of an entry by canonical key (case and diacritics folded, synonyms mapped).
CREATE TABLE directory_entry_theme (
    entry_id BIGINT NOT NULL REFERENCES directory_entry (id) ON DELETE CASCADE,
    theme_key TEXT NOT NULL,
    -- As the source wrote it.
    name TEXT NOT NULL,
    PRIMARY KEY (entry_id, theme_key)
);
CREATE INDEX directory_entry_theme_key ON directory_entry_theme (theme_key);

-- Search terms of an entry: folded, Dutch-stemmed words of its name, summary, place and themes.
CREATE TABLE directory_term (
    term TEXT NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES directory_entry (id) ON DELETE CASCADE,
    PRIMARY KEY (term, entry_id)
);
CREATE INDEX directory_term_entry ON directory_term (entry_id);

-- This node's published directory: one row per entry it ever published. `seq` grows with every
-- change (publication, update, withdrawal); a withdrawn entry keeps its row with no body, so
-- peers that synced it learn it is gone.
CREATE TABLE directory_publication (
    ap_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    -- Hash of the published JSON: an unchanged entry keeps its seq.
    fingerprint TEXT NOT NULL,
    body TEXT,
    changed_at TIMESTAMP NOT NULL
);
