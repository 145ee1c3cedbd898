-- Network-wide search without a place lists the most recently active entries first. This index
-- holds that order, so a search walks it and stops after one page instead of sorting every hit.
CREATE INDEX directory_entry_recent ON directory_entry (last_activity_at DESC NULLS LAST, follower_count DESC, id);
