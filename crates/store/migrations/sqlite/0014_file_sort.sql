-- A folder page sorts, filters and cuts its entries inside SQL. Folders come first, then
-- by name (the case-folded key without a drop folder's namespace), date or size: one index
-- per key, in the order of an ascending page, so the first page of a large folder is read
-- in order instead of sorted.
CREATE INDEX file_sort_name ON file_nodes (instance_id, parent_id, is_dir DESC,
    (CASE WHEN substr(name_key, 33, 1) = '/' THEN substr(name_key, 34) ELSE name_key END))
    WHERE deleted_at IS NULL;
CREATE INDEX file_sort_modified ON file_nodes (instance_id, parent_id, is_dir DESC, modified_at)
    WHERE deleted_at IS NULL;
CREATE INDEX file_sort_size ON file_nodes (instance_id, parent_id, is_dir DESC, size)
    WHERE deleted_at IS NULL;
