-- Syncing peers' directories: what software a known node runs, as its NodeInfo says. Nodes
-- learned from federation traffic start unprobed (NULL); only 'kwartier' nodes are synced and
-- passed on to others. Other software is probed again rarely, in case it changes.
ALTER TABLE known_node ADD COLUMN software TEXT;
