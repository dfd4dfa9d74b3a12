//! Texts of the shell pages: (key, German, English).

pub const SHELL_TEXTS: &[(&str, &str, &str)] = &[];
