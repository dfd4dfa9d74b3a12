//! Texts of the handin pages: (key, German, English).

pub const HANDIN_TEXTS: &[(&str, &str, &str)] = &[];
