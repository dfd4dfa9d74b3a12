-- The school's time zone (an IANA name): every time a page shows, and the day a "valid
-- until" date ends, is read in it.
ALTER TABLE instances ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Berlin';
