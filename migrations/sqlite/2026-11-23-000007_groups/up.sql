-- Theme groups (networks): local FEP-1b12 `Group` actors with kwartier:kind "Network" that
-- people and initiatives from any node join by following; what members post to a group is
-- checked, kept here and announced to every member. Themes go in actor_theme.

CREATE TABLE theme_group (
    actor_id BIGINT PRIMARY KEY REFERENCES actor (id) ON DELETE CASCADE,
    -- Markdown, shown on the group's page and in its profile.
    rules TEXT NOT NULL DEFAULT '',
    location_name TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

-- Moderators of a group: of our own groups (local or remote people), and of remote groups we
-- follow as their Add/Remove activities told us.
CREATE TABLE group_moderator (
    group_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, person_id)
);

-- What a local group accepted from its members and announced.
CREATE TABLE group_post (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    ap_id TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('Article', 'Note', 'Page')),
    name TEXT,
    summary TEXT,
    -- Sanitized HTML.
    content TEXT NOT NULL,
    url TEXT,
    in_reply_to TEXT,
    -- The activity that brought it, as it arrived (announced on as FEP-1b12 asks).
    activity TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (group_id, ap_id)
);
CREATE INDEX group_post_newest ON group_post (group_id, accepted_at);
CREATE INDEX group_post_ap_id ON group_post (ap_id);

-- Theme groups (ours or elsewhere) our stories were shared to: they get the story's
-- activities too, with the group in `cc` and a `Mention` of it.
CREATE TABLE story_group (
    story_id BIGINT NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES actor (id) ON DELETE CASCADE,
    PRIMARY KEY (story_id, group_id)
);
