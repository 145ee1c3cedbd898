DROP TABLE directory_publication;
DROP TABLE directory_term;
DROP TABLE directory_entry_theme;
DROP TABLE directory_entry;
DROP TABLE known_node;
