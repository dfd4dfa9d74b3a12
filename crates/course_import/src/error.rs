//! Why an archive is refused as a whole. Each message names what is wrong and where (the
//! entry, file and position), in German for the teacher; [`ImportError::english`] gives the
//! same in English and [`ImportError::key`] a stable key for translations.

/// An archive that cannot be read at all. Problems with single activities are not errors but
/// lines in [`crate::ImportedCourse::report`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("Die Datei ist weder eine Moodle-Sicherung (.mbz) noch ein Common Cartridge (.imscc).")]
    UnknownFormat,
    #[error("Das Archiv ist beschädigt ({detail}).")]
    Corrupt { detail: String },
    #[error("Der Eintrag „{entry}“ im Archiv ist unzulässig: {reason}.")]
    UnsafePath { entry: String, reason: &'static str },
    #[error(
        "Der Eintrag „{entry}“ ist verschlüsselt; verschlüsselte Archive werden nicht gelesen."
    )]
    Encrypted { entry: String },
    #[error("Der Eintrag „{entry}“ ist {kind}; das Archiv darf nur Dateien und Ordner enthalten.")]
    UnsupportedEntry { entry: String, kind: &'static str },
    #[error("Der Eintrag „{entry}“ kommt im Archiv mehrfach vor.")]
    DuplicateEntry { entry: String },
    #[error("Das Archiv hat mehr als {limit} Einträge.")]
    TooManyEntries { limit: usize },
    #[error("Der Eintrag „{entry}“ ist entpackt größer als {limit} Bytes.")]
    EntryTooLarge { entry: String, limit: u64 },
    #[error("Das Archiv ist entpackt größer als {limit} Bytes.")]
    TooLarge { limit: u64 },
    #[error("Im Archiv fehlt die Datei {expected}.")]
    MissingManifest { expected: &'static str },
    #[error("{file}, Zeile {line}, Spalte {column}: fehlerhaftes XML ({message}).")]
    Xml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}.")]
    InvalidContent { file: String, message: String },
    #[error("{format} in der Version „{version}“ wird nicht unterstützt.")]
    UnsupportedVersion {
        format: &'static str,
        version: String,
    },
}

impl ImportError {
    /// A stable key for translations and logs, e.g. `course_import.unsafe_path`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::UnknownFormat => "course_import.unknown_format",
            Self::Corrupt { .. } => "course_import.corrupt",
            Self::UnsafePath { .. } => "course_import.unsafe_path",
            Self::Encrypted { .. } => "course_import.encrypted",
            Self::UnsupportedEntry { .. } => "course_import.unsupported_entry",
            Self::DuplicateEntry { .. } => "course_import.duplicate_entry",
            Self::TooManyEntries { .. } => "course_import.too_many_entries",
            Self::EntryTooLarge { .. } => "course_import.entry_too_large",
            Self::TooLarge { .. } => "course_import.too_large",
            Self::MissingManifest { .. } => "course_import.missing_manifest",
            Self::Xml { .. } => "course_import.xml",
            Self::InvalidContent { .. } => "course_import.invalid_content",
            Self::UnsupportedVersion { .. } => "course_import.unsupported_version",
        }
    }

    /// The message in English (the `Display` text is German).
    pub fn english(&self) -> String {
        match self {
            Self::UnknownFormat => {
                "The file is neither a Moodle backup (.mbz) nor a Common Cartridge (.imscc).".into()
            }
            Self::Corrupt { detail } => format!("The archive is damaged ({detail})."),
            Self::UnsafePath { entry, reason } => {
                format!(
                    "The archive entry \"{entry}\" is not allowed: {}.",
                    en_reason(reason)
                )
            }
            Self::Encrypted { entry } => {
                format!("The entry \"{entry}\" is encrypted; encrypted archives are not read.")
            }
            Self::UnsupportedEntry { entry, .. } => format!(
                "The entry \"{entry}\" is a link or special file; only files and folders are allowed."
            ),
            Self::DuplicateEntry { entry } => {
                format!("The entry \"{entry}\" occurs more than once in the archive.")
            }
            Self::TooManyEntries { limit } => {
                format!("The archive has more than {limit} entries.")
            }
            Self::EntryTooLarge { entry, limit } => {
                format!("The entry \"{entry}\" is larger than {limit} bytes when unpacked.")
            }
            Self::TooLarge { limit } => {
                format!("The archive is larger than {limit} bytes when unpacked.")
            }
            Self::MissingManifest { expected } => {
                format!("The archive does not contain {expected}.")
            }
            Self::Xml {
                file,
                line,
                column,
                message,
            } => format!("{file}, line {line}, column {column}: malformed XML ({message})."),
            Self::InvalidContent { file, message } => format!("{file}: {message}."),
            Self::UnsupportedVersion { format, version } => {
                format!("{format} version \"{version}\" is not supported.")
            }
        }
    }
}

/// The German reasons of [`ImportError::UnsafePath`] in English.
fn en_reason(reason: &str) -> &'static str {
    match reason {
        r if r == reason::PARENT => "it leaves the archive with \"..\"",
        r if r == reason::ABSOLUTE => "it is an absolute path",
        r if r == reason::BACKSLASH => "it contains a backslash",
        r if r == reason::NUL => "it contains a NUL character",
        r if r == reason::EMPTY => "it has no name",
        r if r == reason::NOT_UTF8 => "its name is not UTF-8",
        _ => "it is not a plain relative path",
    }
}

/// The reasons an entry name is refused (German, shown in [`ImportError::UnsafePath`]).
pub(crate) mod reason {
    pub const PARENT: &str = "er verweist mit „..“ aus dem Archiv hinaus";
    pub const ABSOLUTE: &str = "er ist ein absoluter Pfad";
    pub const BACKSLASH: &str = "er enthält einen Backslash";
    pub const NUL: &str = "er enthält ein NUL-Zeichen";
    pub const EMPTY: &str = "er hat keinen Namen";
    pub const NOT_UTF8: &str = "sein Name ist kein UTF-8";
}
