-- Which of the school's groups get their course without a click (issue 15): 'aus' (none,
-- the one-click path only), 'klassen' (every class) or 'klassen_kurse' (every class and
-- course group). Set by the school's admin; every node reads it from here.
ALTER TABLE instances ADD COLUMN lms_auto_courses TEXT NOT NULL DEFAULT 'aus';
