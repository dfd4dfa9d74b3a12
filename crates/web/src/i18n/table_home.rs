//! Texts of the home pages: (key, German, English).

pub const HOME_TEXTS: &[(&str, &str, &str)] = &[];
