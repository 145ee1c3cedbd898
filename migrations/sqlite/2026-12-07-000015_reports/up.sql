-- Reports (moderation): local people report a story, comment, group post, initiative or person;
-- remote servers send `Flag` activities. Both land in one queue, resolved by staff with an
-- action and a required note. Nothing here federates, but a report a local person agreed to
-- forward goes to the origin server as a `Flag` from the node actor.
CREATE TABLE report (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The `Flag`'s id: the one received (for dedupe) or the one we forwarded.
    ap_id TEXT,
    -- The local person who reported, or the remote actor that sent the Flag (often an
    -- instance actor); NULL once that actor is gone.
    reporter_id BIGINT REFERENCES actor (id) ON DELETE SET NULL,
    -- The reporting server's host[:port] for remote reports; NULL for local ones.
    origin TEXT,
    -- What was reported: 'story', 'comment', 'group_post', 'initiative', 'group' or 'person'.
    target_kind TEXT NOT NULL
        CHECK (target_kind IN ('story', 'comment', 'group_post', 'initiative', 'group', 'person')),
    -- The row's id (story, comment, group_post or actor).
    target_id BIGINT NOT NULL,
    -- Its ActivityPub id, as reported.
    target_url TEXT NOT NULL,
    -- Whoever wrote it (or the actor itself).
    target_author_id BIGINT REFERENCES actor (id) ON DELETE SET NULL,
    reason TEXT NOT NULL DEFAULT '',
    -- The reporter agreed to send it to the origin server; when it went.
    forward BOOLEAN NOT NULL DEFAULT FALSE,
    forwarded_at TIMESTAMP,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    -- How it was resolved: 'dismiss', 'hide', 'remove', 'warn', 'suspend-account' or
    -- 'suspend-domain', with the required note and who did it (a username or 'cli').
    action TEXT,
    resolution_note TEXT,
    resolved_by TEXT,
    resolved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CHECK ((status = 'resolved') = (action IS NOT NULL))
);
CREATE INDEX report_status_id ON report (status, id);
CREATE INDEX report_target_author ON report (target_author_id);
CREATE INDEX report_ap_id ON report (ap_id);

-- A moderator can hide a story (a cached remote one, say): it stays stored, but is not shown.
ALTER TABLE story ADD COLUMN hidden_at TIMESTAMP;

-- Remote actors a moderator suspended: their activities are refused from then on.
CREATE TABLE actor_suspension (
    actor_id BIGINT PRIMARY KEY REFERENCES actor (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    suspended_by TEXT NOT NULL,
    suspended_at TIMESTAMP NOT NULL
);
