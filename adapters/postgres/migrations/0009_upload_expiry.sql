-- +goose Up
-- When an uploaded file is to be removed from the server (the upload's
-- expiry, domain.UploadRecord.ExpiresAt), in nanoseconds since the Unix
-- epoch in UTC; NULL for never.
ALTER TABLE uploads ADD COLUMN expires_at BIGINT;

-- ExpiredUploads, on every tick of the scheduler: only the rows that
-- expire at all.
CREATE INDEX uploads_expiry ON uploads (expires_at) WHERE expires_at IS NOT NULL;
