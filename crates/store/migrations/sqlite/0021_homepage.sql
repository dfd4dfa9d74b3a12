-- The school's public start page ("Micro-CMS"): its settings (the start text, or a redirect to
-- the school's own website), its pages with a menu order, and the pictures they show. The
-- rendered page is cached per school; every change that shows on it (pages, news, public
-- dates) raises the school's stamp in homepage_stamps, which is how every node notices.

CREATE TABLE homepage_settings (
    instance_id BLOB NOT NULL PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
    intro TEXT NOT NULL,
    redirect_url TEXT,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE homepage_pages (
    instance_id BLOB NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    id BLOB NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    position INTEGER NOT NULL,
    published INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE UNIQUE INDEX homepage_pages_slug ON homepage_pages (instance_id, slug);

-- Pictures: content in the blob store, counted against the school's quota.
CREATE TABLE homepage_images (
    instance_id BLOB NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    blob_sha TEXT NOT NULL,
    created_by BLOB,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX homepage_images_by_blob ON homepage_images (blob_sha);

-- The change stamp of everything the public start page shows.
CREATE TABLE homepage_stamps (
    instance_id BLOB NOT NULL PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
    stamp INTEGER NOT NULL
) STRICT;
