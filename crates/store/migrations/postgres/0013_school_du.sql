-- Whether the school addresses its students with "du" (German pages); adults are always
-- addressed with "Sie". On unless the admin turns it off.
ALTER TABLE instances ADD COLUMN du_students BOOLEAN NOT NULL DEFAULT TRUE;
