//! One module per area of the site.

pub mod account;
pub mod audit;
pub mod consent;
pub mod deletion;
pub mod errors;
pub mod files;
pub mod files_node;
pub mod files_share;
pub mod files_trash;
pub mod files_write;
pub mod group_admin;
pub mod group_detail;
pub mod home;
pub mod import;
pub mod import_result;
pub mod import_run;
pub mod import_summary;
pub mod lang;
pub mod login;
pub mod mine;
pub mod password_change;
pub mod school_year;
pub mod user_card;
pub mod user_rights;
pub mod users;
pub mod views;
