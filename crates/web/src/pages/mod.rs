//! One module per area of the site; an area with several pages gets a folder.

pub mod account;
pub mod app_passwords;
pub mod audit;
pub mod consent;
pub mod deletion;
pub mod errors;
pub mod files;
pub mod four_eyes;
pub mod group_admin;
pub mod group_detail;
pub mod home;
pub mod import;
pub mod lang;
pub mod link_visit;
pub mod links;
pub mod login;
pub mod media;
pub mod mine;
pub mod password_change;
pub mod safe;
pub mod school_year;
pub mod user_card;
pub mod user_rights;
pub mod users;
pub mod views;
