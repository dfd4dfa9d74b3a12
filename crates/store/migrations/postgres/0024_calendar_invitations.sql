-- Invitations (implicit scheduling, RFC 6638): one row per attendee of an organiser's event.
-- The organiser's object is the master; the attendee's copy (in the attendee's default
-- personal calendar) carries the same UID. `partstat` is the attendee's answer
-- (NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE); `via_group` the group the person was
-- invited through. copy_id is NULL once the attendee deleted the copy.
CREATE TABLE calendar_attendees (
    instance_id UUID NOT NULL,
    object_id UUID NOT NULL,
    user_id UUID NOT NULL,
    copy_id UUID,
    via_group UUID,
    partstat TEXT NOT NULL,
    answered_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, object_id, user_id),
    FOREIGN KEY (instance_id, object_id) REFERENCES calendar_objects(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_attendees_by_user ON calendar_attendees (instance_id, user_id);
CREATE INDEX calendar_attendees_by_copy ON calendar_attendees (instance_id, copy_id);
