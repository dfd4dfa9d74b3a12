//! Texts of the preview pages: (key, German, English).

pub const PREVIEW_TEXTS: &[(&str, &str, &str)] = &[];
