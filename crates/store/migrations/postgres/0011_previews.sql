-- Office documents previewed as PDF, converted in the background by LibreOffice. One row per
-- content (its SHA-256) and school: each version of a file gets its own, copies share one.
-- `claimed_at` is the lease of the node converting it; a stale lease is taken over.
CREATE TABLE file_previews (
    instance_id UUID NOT NULL,
    source_sha TEXT NOT NULL,
    -- The extension of the file's name when it was asked for: it tells LibreOffice the format.
    ext TEXT NOT NULL,
    -- pending, working, done or failed.
    status TEXT NOT NULL,
    pdf_sha TEXT,
    claimed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, source_sha)
);
CREATE INDEX file_previews_pending ON file_previews (status, updated_at);
CREATE INDEX file_previews_pdf ON file_previews (pdf_sha);
