-- Address books. Each login has one personal book (made on first use); further books are
-- created and shared within the school with persons or groups, to read or to write. A contact
-- keeps the vCard text exactly as stored, plus indexed columns for lists and search. Every
-- change in a book raises its sync token and stamps the contact (or the tombstone of a deleted
-- one) with it, so a client asks "what changed since N" with one indexed range each; a token
-- below `tombstone_floor` (tombstones purged) is no longer valid.

-- Whether the school's address books may be synchronised over CardDAV (off: the state turned
-- it off for privacy).
ALTER TABLE instances ADD COLUMN carddav INTEGER NOT NULL DEFAULT 0;

CREATE TABLE address_books (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    owner_id BLOB NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    personal INTEGER NOT NULL,
    sync_token INTEGER NOT NULL,
    tombstone_floor INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX address_books_by_owner ON address_books (instance_id, owner_id);
CREATE UNIQUE INDEX address_books_one_personal ON address_books (instance_id, owner_id) WHERE personal = 1;

-- Who else sees a book: one login or one group per row.
CREATE TABLE address_book_shares (
    instance_id BLOB NOT NULL,
    book_id BLOB NOT NULL,
    user_id BLOB,
    group_id BLOB,
    can_write INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (group_id IS NULL)),
    FOREIGN KEY (instance_id, book_id) REFERENCES address_books(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX address_book_shares_user ON address_book_shares (book_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX address_book_shares_group ON address_book_shares (book_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX address_book_shares_by_user ON address_book_shares (instance_id, user_id);
CREATE INDEX address_book_shares_by_group ON address_book_shares (instance_id, group_id);

-- `href` is the resource name a client knows the contact by ("abc.vcf"); `emails` holds the
-- lower-case addresses one per line; `search_text` the lower-case name, addresses and
-- organisation the search looks in.
CREATE TABLE contacts (
    instance_id BLOB NOT NULL,
    id BLOB NOT NULL,
    book_id BLOB NOT NULL,
    href TEXT NOT NULL,
    uid TEXT NOT NULL,
    vcard TEXT NOT NULL,
    etag TEXT NOT NULL,
    modseq INTEGER NOT NULL,
    display_name TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    emails TEXT NOT NULL,
    search_text TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (book_id, uid),
    UNIQUE (book_id, href),
    FOREIGN KEY (instance_id, book_id) REFERENCES address_books(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX contacts_by_name ON contacts (book_id, sort_key);
CREATE INDEX contacts_by_modseq ON contacts (book_id, modseq);

-- A deleted contact, so a client syncing since an older token learns of the deletion.
CREATE TABLE contact_tombstones (
    instance_id BLOB NOT NULL,
    book_id BLOB NOT NULL,
    href TEXT NOT NULL,
    uid TEXT NOT NULL,
    modseq INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL,
    PRIMARY KEY (book_id, href),
    FOREIGN KEY (instance_id, book_id) REFERENCES address_books(instance_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX contact_tombstones_by_modseq ON contact_tombstones (book_id, modseq);
