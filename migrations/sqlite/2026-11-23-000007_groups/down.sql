DROP TABLE story_group;
DROP TABLE group_post;
DROP TABLE group_moderator;
DROP TABLE theme_group;
