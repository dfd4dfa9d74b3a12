-- Caption tracks of media material (issue 15): a WebVTT file among the activity's files
-- (role 'captions') with the language of its text (a BCP 47 tag such as 'de'); NULL for
-- every other file.
ALTER TABLE lms_activity_files ADD COLUMN lang TEXT;
