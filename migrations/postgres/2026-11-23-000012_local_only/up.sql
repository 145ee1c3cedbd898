-- Local-only spaces and the node's default visibility. An initiative or theme group that is
-- local-only federates nothing: its actor, stories and posts are never delivered nor served to
-- other servers, and it is absent from the directory; visitors of this node still see it.
ALTER TABLE actor ADD COLUMN local_only BOOLEAN NOT NULL DEFAULT FALSE;
-- What new initiatives, groups and stories start as: 'public', or 'local' on cautious nodes.
ALTER TABLE node_settings ADD COLUMN default_visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (default_visibility IN ('public', 'local'));
