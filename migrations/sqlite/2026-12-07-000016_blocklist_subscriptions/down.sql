DROP TABLE blocklist_entry;
DROP TABLE blocklist_subscription;
