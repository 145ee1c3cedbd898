DROP INDEX directory_entry_recent;
