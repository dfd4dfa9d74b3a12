//! Texts of the manager pages: (key, German, English).

pub const MANAGER_TEXTS: &[(&str, &str, &str)] = &[];
