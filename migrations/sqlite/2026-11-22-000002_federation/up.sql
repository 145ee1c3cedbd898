-- Federation: every actor (local people, initiatives, the node itself, and remote actors of any
-- type) lives in one table, so local handles share one namespace. Initiatives, themes, follows,
-- stories, comments and appreciation; received activity ids and tombstones for the inbox; the
-- transactional outbox with one delivery per inbox, and per-peer delivery health.

ALTER TABLE person RENAME TO actor;
DROP INDEX person_local_username;
CREATE UNIQUE INDEX actor_local_handle ON actor (lower(username)) WHERE local;
-- ActivityPub type: Person, Group, Application, Service or Organization.
ALTER TABLE actor ADD COLUMN actor_type TEXT NOT NULL DEFAULT 'Person';
ALTER TABLE actor ADD COLUMN summary TEXT;
ALTER TABLE actor ADD COLUMN url TEXT;
ALTER TABLE actor ADD COLUMN followers_url TEXT;
ALTER TABLE actor ADD COLUMN icon_url TEXT;
ALTER TABLE actor ADD COLUMN image_url TEXT;
ALTER TABLE actor ADD COLUMN manually_approves_followers BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE actor ADD COLUMN discoverable BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE actor ADD COLUMN deleted_at TIMESTAMP;
-- The key id signatures name (`…#main-key`, `…/main-key`), to find the actor from a keyId.
ALTER TABLE actor ADD COLUMN public_key_id TEXT;
CREATE INDEX actor_public_key_id ON actor (public_key_id);
-- One node actor per node.
CREATE UNIQUE INDEX actor_node ON actor (actor_type) WHERE local AND actor_type = 'Application';

CREATE TABLE initiative (
    actor_id BIGINT PRIMARY KEY REFERENCES actor (id) ON DELETE CASCADE,
    contact_person_id BIGINT NOT NULL REFERENCES actor (id),
    website TEXT,
    neighbourhood TEXT,
    location_name TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE TABLE initiative_member (
    initiative_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (initiative_id, person_id)
);
CREATE INDEX initiative_member_person ON initiative_member (person_id);

CREATE TABLE theme (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE actor_theme (
    actor_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    theme_id BIGINT NOT NULL REFERENCES theme (id) ON DELETE CASCADE,
    PRIMARY KEY (actor_id, theme_id)
);

CREATE TABLE follow (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    follower_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    followee_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    ap_id TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (follower_id, followee_id)
);
CREATE INDEX follow_followee ON follow (followee_id, state);

CREATE TABLE story (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL UNIQUE,
    initiative_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES actor (id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    source TEXT NOT NULL,
    content TEXT NOT NULL,
    language TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'followers', 'local')),
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    -- Remote stories arrive from initiatives our people follow; their HTML page is `url`.
    local BOOLEAN NOT NULL,
    url TEXT,
    published_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    deleted_at TIMESTAMP
);
CREATE INDEX story_initiative ON story (initiative_id, published_at);
CREATE INDEX story_published ON story (published_at);

CREATE TABLE story_theme (
    story_id BIGINT NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    theme_id BIGINT NOT NULL REFERENCES theme (id) ON DELETE CASCADE,
    PRIMARY KEY (story_id, theme_id)
);

CREATE TABLE comment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL UNIQUE,
    story_id BIGINT NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comment (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    source TEXT,
    language TEXT,
    url TEXT,
    local BOOLEAN NOT NULL,
    published_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    deleted_at TIMESTAMP
);
CREATE INDEX comment_story ON comment (story_id, published_at);
CREATE INDEX comment_parent ON comment (parent_id);

CREATE TABLE appreciation (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL UNIQUE,
    actor_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    story_id BIGINT REFERENCES story (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comment (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    CHECK ((story_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX appreciation_story ON appreciation (actor_id, story_id) WHERE story_id IS NOT NULL;
CREATE UNIQUE INDEX appreciation_comment ON appreciation (actor_id, comment_id) WHERE comment_id IS NOT NULL;

CREATE TABLE notification (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('mention', 'reply')),
    comment_id BIGINT NOT NULL REFERENCES comment (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    UNIQUE (recipient_id, comment_id, kind)
);

-- Inbox: ids of activities already applied, and ids of remote objects deleted (perhaps before
-- they ever arrived).
CREATE TABLE received_activity (
    ap_id TEXT PRIMARY KEY,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX received_activity_age ON received_activity (received_at);

CREATE TABLE remote_tombstone (
    ap_id TEXT PRIMARY KEY,
    deleted_at TIMESTAMP NOT NULL
);

-- Outbox: each activity once, then one delivery per distinct inbox.
CREATE TABLE outgoing_activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL UNIQUE,
    actor_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    public BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE delivery (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id BIGINT NOT NULL REFERENCES outgoing_activity (id) ON DELETE CASCADE,
    inbox_url TEXT NOT NULL,
    peer TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (activity_id, inbox_url)
);
CREATE INDEX delivery_due ON delivery (state, next_attempt_at);
CREATE INDEX delivery_peer ON delivery (peer, state);

CREATE TABLE peer (
    host TEXT PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    circuit_open_until TIMESTAMP,
    last_success_at TIMESTAMP,
    last_failure_at TIMESTAMP,
    last_error TEXT
);
