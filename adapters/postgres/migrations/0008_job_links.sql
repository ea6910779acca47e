-- +goose Up
-- The public link an upload made to its folder (domain.Job.Link), or why
-- it could not make one; '' for none.
ALTER TABLE jobs ADD COLUMN link TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN link_error TEXT NOT NULL DEFAULT '';
