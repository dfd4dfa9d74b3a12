//! Every integration test of this crate in one binary: one link and one copy of the
//! generic code they share, instead of one per file (most of the test build's time).
// Shared set-up serves many modules; each uses only part of it.
#![allow(dead_code)]

// Shared set-up.
#[path = "../abuse_support/mod.rs"]
mod abuse_support;
#[path = "../calendar_support/mod.rs"]
mod calendar_support;
#[path = "../chat_support/mod.rs"]
mod chat_support;
#[path = "../contacts_support/mod.rs"]
mod contacts_support;
#[path = "../conference_support/fake_bbb.rs"]
mod fake_bbb;
#[path = "../file_support/mod.rs"]
mod file_support;
#[path = "../mail_support/mod.rs"]
mod mail_support;
#[path = "../oidc_support/mod.rs"]
mod oidc_support;
#[path = "../operator_support/mod.rs"]
mod operator_support;
#[path = "../conference_support/pyjwt.rs"]
mod pyjwt;
#[path = "../conference_support/settings.rs"]
mod settings;
#[path = "../support/mod.rs"]
mod support;

// The tests, one module per concern.
mod calendar;
mod calendar_attachments;
mod calendar_attachments_carried;
mod calendar_fuzz;
mod calendar_ics;
mod calendar_invitations;
mod calendar_invite_mail;
mod calendar_occurrences;
mod calendar_query_match;
mod calendar_reindex;
mod calendar_series;
mod calendar_time;
mod chat;
mod chat_feed;
mod chat_more;
mod chat_search;
mod conference;
mod conference_external;
mod conference_guests;
mod conference_handover;
mod conference_lease;
mod contacts;
mod contacts_directory;
mod contacts_import;
mod files;
mod files_lifecycle;
mod files_listing;
mod handin;
mod help_more;
mod help_network;
mod homepage;
mod import;
mod import_consent;
mod lifecycle;
mod lms_arrange;
mod lms_assignments;
mod lms_auto_courses;
mod lms_captions;
mod lms_courses;
mod lms_due_calendar;
mod lms_import;
mod lms_import_pictures;
mod lms_notify;
mod lms_quizzes;
mod lms_quota;
mod lti;
mod lti_consent;
mod lti_keys;
mod mail;
mod mail_absence;
mod mail_abuse;
mod mail_abuse_council;
mod mail_abuse_further;
mod mail_auth;
mod mail_cross_school;
mod mail_delegation;
mod mail_delivery_statements;
mod mail_flags_race;
mod mail_ingest;
mod mail_inspection;
mod mail_outbound;
mod mail_own_changes;
mod mail_quarantine;
mod mail_view;
mod media;
mod news;
mod notify;
mod notify_feeds;
mod oidc;
mod oidc_acting_session;
mod oidc_consent;
mod oidc_import;
mod oidc_logout;
mod oidc_tiles;
mod operator_recovery;
mod operators;
mod password_reset;
mod preview;
mod safe;
