//! Texts of the admin pages: (key, German, English).

pub const ADMIN_TEXTS: &[(&str, &str, &str)] = &[];
