-- The help network's guides as support edited or added them, and its blog (issue 14).
-- Times are unix microseconds (UTC).
--
-- A guide row overrides the shipped Markdown page of the same slug, or adds a page. The
-- body is Markdown (pages render raw HTML in it as text); `body_du` is the version that
-- addresses pupils with "du" (empty: they read `body`). `context` lists the platform paths
-- the page explains, space-separated. The operator who saved last is kept for the log.
CREATE TABLE help_guides (
    slug TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    context TEXT NOT NULL,
    body TEXT NOT NULL,
    body_du TEXT NOT NULL,
    updated_by BLOB NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The blog: support writes (plain text, paragraphs), everyone with help.blog.read reads.
CREATE TABLE help_blog_posts (
    id BLOB NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id BLOB NOT NULL,
    published_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX help_blog_by_time ON help_blog_posts (published_at);
