-- A folder page sorts, filters and cuts its entries inside SQL. Folders come first, then
-- by name (the case-folded key without a drop folder's namespace), date or size: one index
-- per key with its ties (name, then id), in the order of an ascending page, so a page of a
-- large folder is read in order and the reading stops at its end instead of sorting all.
CREATE INDEX file_sort_name ON file_nodes (instance_id, parent_id, is_dir DESC,
    (CASE WHEN substr(name_key, 33, 1) = '/' THEN substr(name_key, 34) ELSE name_key END), id)
    WHERE deleted_at IS NULL;
CREATE INDEX file_sort_modified ON file_nodes (instance_id, parent_id, is_dir DESC, modified_at,
    (CASE WHEN substr(name_key, 33, 1) = '/' THEN substr(name_key, 34) ELSE name_key END), id)
    WHERE deleted_at IS NULL;
CREATE INDEX file_sort_size ON file_nodes (instance_id, parent_id, is_dir DESC, size,
    (CASE WHEN substr(name_key, 33, 1) = '/' THEN substr(name_key, 34) ELSE name_key END), id)
    WHERE deleted_at IS NULL;
