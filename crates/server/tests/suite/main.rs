//! Every integration test of this crate in one binary: one link and one copy of the
//! generic code they share, instead of one per file (most of the test build's time).
// Shared set-up serves many modules; each uses only part of it.
#![allow(dead_code)]

// Shared set-up.
#[path = "../../../import/tests/common/books.rs"]
mod books;
#[path = "../cli_support/mod.rs"]
mod cli_support;
#[path = "../common/mod.rs"]
mod common;
#[path = "../mail_dmarc/dns.rs"]
mod dns;
#[path = "../common/file_api.rs"]
mod file_api;
#[path = "../common/files.rs"]
mod file_helpers;
#[path = "../filter_support/mod.rs"]
mod filter_support;
#[path = "../security_support/mod.rs"]
mod security_support;
#[path = "../carddav/support.rs"]
mod support;

// The tests, one module per concern.
mod api_account;
mod api_admin;
mod api_files;
mod api_files_cross;
mod api_files_rights;
mod api_imports;
mod api_isolation_audit;
mod api_links_media;
mod api_lms;
mod api_lms_files;
mod api_news;
mod api_rights;
mod api_uploads;
mod caldav;
mod caldav_nodes;
mod caldav_schedule;
mod caldav_statements;
mod caldav_tester;
mod carddav;
mod carddav_statements;
mod chat_nodes;
mod cli;
mod cli_import;
mod cli_sfu;
mod conference_nodes;
mod dav;
mod demo_course;
mod homepage_public;
mod lms_caldav;
mod lms_nodes;
mod lti_attacks;
mod lti_tool;
mod mail_binary;
mod mail_delegation;
mod mail_dmarc;
mod mail_durability;
mod mail_filter_serve;
mod mail_filtering;
mod mail_imap;
mod mail_limits;
mod mail_lists_smtp;
mod mail_qresync;
mod mail_quota_clients;
mod mail_smtp;
mod news_feeds;
mod node_name;
mod oidc_apache;
mod oidc_apache_tile;
mod oidc_attacks;
mod oidc_refusals_logged;
mod oidc_rp;
mod oidc_sso_resume;
mod oidc_statements;
mod operator_console;
mod s3_storage;
mod security_content;
mod security_dav_locks;
mod security_files;
mod security_matrix;
mod security_parsers;
mod security_passwords;
mod security_safe;
mod security_sharing;
mod security_throttle;
