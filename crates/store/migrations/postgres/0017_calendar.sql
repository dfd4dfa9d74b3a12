-- Calendars (issue 13): personal, group, school and resource calendars, their iCalendar
-- objects (original text byte-for-byte plus indexed columns), tombstones for sync-collection,
-- shares, bookable resources with their bookings, and ICS subscription tokens.
-- Times are unix microseconds (UTC).

-- A room or a piece of equipment. `account_types` lists (comma-separated) the account types
-- whose persons may book it; calendar_resource_groups adds groups whose members may.
CREATE TABLE calendar_resources (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    needs_approval BOOLEAN NOT NULL,
    account_types TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);

CREATE TABLE calendar_resource_groups (
    instance_id UUID NOT NULL,
    resource_id UUID NOT NULL,
    group_id UUID NOT NULL,
    PRIMARY KEY (instance_id, resource_id, group_id),
    FOREIGN KEY (instance_id, resource_id) REFERENCES calendar_resources(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE
);

-- One calendar collection. Exactly one of owner_id / group_id / resource_id is set for the
-- kinds personal / group / resource; the school calendar has none. `modseq` grows with every
-- change inside the calendar: it is the sync token and the ctag. Tombstones older than
-- `tombstone_floor` were purged, so older sync tokens are refused.
CREATE TABLE calendars (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    kind TEXT NOT NULL,
    owner_id UUID,
    group_id UUID,
    resource_id UUID,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    colour TEXT NOT NULL,
    description TEXT NOT NULL,
    modseq BIGINT NOT NULL,
    tombstone_floor BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_id) REFERENCES user_groups(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, resource_id) REFERENCES calendar_resources(instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX calendars_personal ON calendars (instance_id, owner_id, slug) WHERE kind = 'personal';
CREATE UNIQUE INDEX calendars_group ON calendars (instance_id, group_id) WHERE kind = 'group';
CREATE UNIQUE INDEX calendars_school ON calendars (instance_id) WHERE kind = 'school';
CREATE UNIQUE INDEX calendars_resource ON calendars (instance_id, resource_id) WHERE kind = 'resource';

-- One iCalendar object resource. `raw` is the text as received. first_start / last_end bound
-- all instances after recurrence expansion (last_end NULL: open end, e.g. an endless RRULE),
-- so a time-range query reads only candidates; recurring ones get an exact check.
CREATE TABLE calendar_objects (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    calendar_id UUID NOT NULL,
    href TEXT NOT NULL,
    uid TEXT NOT NULL,
    etag TEXT NOT NULL,
    modseq BIGINT NOT NULL,
    component TEXT NOT NULL,
    raw TEXT NOT NULL,
    size BIGINT NOT NULL,
    summary TEXT NOT NULL,
    first_start BIGINT NOT NULL,
    last_end BIGINT,
    recurring BOOLEAN NOT NULL,
    all_day BOOLEAN NOT NULL,
    public BOOLEAN NOT NULL,
    transparent BOOLEAN NOT NULL,
    created_by UUID,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (calendar_id, href),
    UNIQUE (calendar_id, uid),
    FOREIGN KEY (instance_id, calendar_id) REFERENCES calendars(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_objects_by_start ON calendar_objects (calendar_id, first_start);
CREATE INDEX calendar_objects_by_modseq ON calendar_objects (calendar_id, modseq);

-- Deleted hrefs, for sync-collection. Re-creating an href removes its tombstone.
CREATE TABLE calendar_tombstones (
    instance_id UUID NOT NULL,
    calendar_id UUID NOT NULL,
    href TEXT NOT NULL,
    modseq BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL,
    PRIMARY KEY (calendar_id, href),
    FOREIGN KEY (instance_id, calendar_id) REFERENCES calendars(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_tombstones_by_modseq ON calendar_tombstones (calendar_id, modseq);

-- A personal calendar shared with a login or a group; access 'read' or 'write'.
CREATE TABLE calendar_shares (
    instance_id UUID NOT NULL,
    calendar_id UUID NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id UUID NOT NULL,
    access TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, calendar_id, subject_kind, subject_id),
    FOREIGN KEY (instance_id, calendar_id) REFERENCES calendars(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_shares_by_subject ON calendar_shares (instance_id, subject_id);

-- One occurrence of an event in a resource calendar (expanded up to the horizon): the
-- double-booking check reads these. status 'pending' or 'confirmed'.
CREATE TABLE calendar_bookings (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    resource_id UUID NOT NULL,
    object_id UUID NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    booked_by UUID,
    title TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, resource_id) REFERENCES calendar_resources(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, object_id) REFERENCES calendar_objects(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_bookings_by_time ON calendar_bookings (instance_id, resource_id, starts_at);
CREATE INDEX calendar_bookings_by_object ON calendar_bookings (instance_id, object_id);

-- A private ICS subscription URL: only the SHA-256 of its secret is kept; revoking sets
-- revoked_at.
CREATE TABLE calendar_subscriptions (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    calendar_id UUID NOT NULL,
    user_id UUID NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, calendar_id) REFERENCES calendars(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_subscriptions_by_user ON calendar_subscriptions (instance_id, user_id);
