-- PostgreSQL's planner statistics for mail folders (see the PostgreSQL migration of the same
-- number); SQLite plans by its indexes alone: nothing to change.
SELECT 1;
