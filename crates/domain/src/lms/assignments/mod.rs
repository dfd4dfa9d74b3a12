//! Assignments (issue 15 item 3): a teacher sets a task with written and spoken
//! instructions, students hand in text, files or a recording, the teacher grades with
//! written and spoken feedback and releases it. A student has one clear state — not handed
//! in, handed in, returned — and never sees another student's work (`sees_work_of`).
//!
//! Recordings are stored as the browser made them (WebM/Opus, MP4/AAC, Ogg), recognised by
//! their first bytes; every file counts against the uploader's quota.

mod demo;
mod grade;
mod overview;
mod questions;
mod submit;
mod write;
mod zip;

pub use grade::GradeInput;
pub use overview::{FileOf, Overview, OverviewLine};
pub use questions::{MAX_QUESTION, PrivateThread};
pub use schulhof_store::lms::private::{PrivatePost, ThreadRow};
pub use submit::{AssignmentPage, HandIn};
pub use zip::ZipReport;

use schulhof_store::lms::assignments::AssignmentRow;
use schulhof_store::lms::assignments::grades::GradeRow;
use schulhof_store::lms::assignments::submissions::{FileRow, SubmissionRow};
use schulhof_types::{ActivityId, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::DomainError;

/// Largest recording accepted (about 20 minutes of Opus or AAC speech).
pub const MAX_AUDIO: u64 = 25 * 1024 * 1024;
/// Largest other file accepted.
pub const MAX_FILE: u64 = 20 * 1024 * 1024;
/// Largest hand-in at once (a recording and four files), web form and API alike.
pub const MAX_HAND_IN: u64 = MAX_AUDIO + 4 * MAX_FILE;
/// Largest ZIP of feedback files accepted.
pub const MAX_ZIP: u64 = 200 * 1024 * 1024;

/// How students hand in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SubmissionType {
    Text,
    Files,
    Audio,
}

impl SubmissionType {
    pub const ALL: [SubmissionType; 3] = [Self::Text, Self::Files, Self::Audio];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Files => "files",
            Self::Audio => "audio",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// How work is graded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Grading {
    /// Points out of `max`; passed from `pass` on.
    Points {
        max: i64,
        pass: i64,
    },
    /// Labels, best first; passed up to `labels[pass_index]`.
    Scale {
        labels: Vec<String>,
        pass_index: usize,
    },
    PassFail,
}

/// What a teacher fills in for an assignment.
#[derive(Clone, Debug)]
pub struct AssignmentInput {
    pub title: String,
    /// Rich text (sanitised before it is stored).
    pub instructions: String,
    /// The transcript of the audio instruction.
    pub transcript: String,
    pub allow_from: Option<chrono::DateTime<chrono::Utc>>,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub cutoff_at: Option<chrono::DateTime<chrono::Utc>>,
    pub types: Vec<SubmissionType>,
    pub group_mode: bool,
    pub grading: Grading,
    /// "submit", "grade" or "pass".
    pub completion: String,
    pub hidden: bool,
}

/// The settings of a stored assignment.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    pub allow_from: Option<i64>,
    pub cutoff_at: Option<i64>,
    pub types: Vec<SubmissionType>,
    pub group_mode: bool,
    pub grading: Grading,
}

impl Settings {
    pub(crate) fn of(row: Option<AssignmentRow>) -> Settings {
        // An assignment made without settings (the benchmark's): text and files, points.
        let Some(r) = row else {
            return Settings {
                allow_from: None,
                cutoff_at: None,
                types: vec![SubmissionType::Text, SubmissionType::Files],
                group_mode: false,
                grading: Grading::Points { max: 10, pass: 5 },
            };
        };
        let grading = match r.grading.as_str() {
            "scale" => Grading::Scale {
                labels: r.scale.lines().map(str::to_owned).collect(),
                pass_index: r.pass_points.max(0) as usize,
            },
            "passfail" => Grading::PassFail,
            _ => Grading::Points {
                max: r.max_points,
                pass: r.pass_points,
            },
        };
        Settings {
            allow_from: r.allow_from,
            cutoff_at: r.cutoff_at,
            types: r
                .types
                .split(',')
                .filter_map(SubmissionType::parse)
                .collect(),
            group_mode: r.group_mode,
            grading,
        }
    }

    pub fn allows(&self, t: SubmissionType) -> bool {
        self.types.contains(&t)
    }

    /// The stored grade for `input` (points, a label, "pass"/"fail") and whether it passes;
    /// empty input: no grade.
    pub fn grade_of(&self, input: &str) -> Result<Option<(String, bool)>, DomainError> {
        let v = input.trim();
        if v.is_empty() {
            return Ok(None);
        }
        let bad = || DomainError::invalid("grade", "Diese Bewertung passt nicht zur Aufgabe.");
        match &self.grading {
            Grading::Points { max, pass } => {
                let p: i64 = v.parse().map_err(|_| bad())?;
                if !(0..=*max).contains(&p) {
                    return Err(bad());
                }
                Ok(Some((p.to_string(), p >= *pass)))
            }
            Grading::Scale { labels, pass_index } => {
                let i = labels.iter().position(|l| l == v).ok_or_else(bad)?;
                Ok(Some((v.to_owned(), i <= *pass_index)))
            }
            Grading::PassFail => match v {
                "pass" => Ok(Some(("pass".into(), true))),
                "fail" => Ok(Some(("fail".into(), false))),
                _ => Err(bad()),
            },
        }
    }
}

/// A student's one clear state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WorkState {
    NotHandedIn,
    HandedIn,
    Returned,
}

impl WorkState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotHandedIn => "not_handed_in",
            Self::HandedIn => "handed_in",
            Self::Returned => "returned",
        }
    }

    /// The state of a submission (if any) with the grade (if any): returned once a grade
    /// is released for what was handed in; not handed in again after a resubmission was
    /// asked for; handed in again once the student hands in after that.
    pub(crate) fn of(sub: Option<&SubmissionRow>, grade: Option<&GradeRow>) -> WorkState {
        let released = grade.and_then(|g| g.released_at);
        match sub {
            Some(s) if s.status == "reopened" => WorkState::NotHandedIn,
            Some(s) if released.is_some_and(|r| r >= s.submitted_at) => WorkState::Returned,
            None if released.is_some() => WorkState::Returned,
            Some(_) => WorkState::HandedIn,
            None => WorkState::NotHandedIn,
        }
    }
}

/// A file for showing it.
#[derive(Clone, Debug, Serialize)]
pub struct WorkFile {
    pub id: Uuid,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub audio: bool,
}

impl From<FileRow> for WorkFile {
    fn from(f: FileRow) -> Self {
        WorkFile {
            audio: f.role == "audio",
            id: f.id,
            name: f.name,
            mime: f.mime,
            size: f.size,
        }
    }
}

/// One student's work on an assignment, as the student or a teacher sees it.
#[derive(Clone, Debug, Serialize)]
pub struct StudentWork {
    pub activity: ActivityId,
    pub student: UserId,
    pub state: WorkState,
    pub late: bool,
    pub resubmission_requested: bool,
    pub submitted_at: Option<i64>,
    pub text: String,
    pub files: Vec<WorkFile>,
    /// The due date that applies to the student (an extension replaces the activity's).
    pub due_at: Option<i64>,
    pub extension: Option<i64>,
    /// The cut-off that applies to the student (never before their extension).
    pub cutoff_at: Option<i64>,
    /// Grade and feedback: for the student only once released.
    pub grade: Option<String>,
    pub passed: Option<bool>,
    pub feedback: String,
    pub spoken_transcript: String,
    pub feedback_files: Vec<WorkFile>,
    pub released: bool,
    /// Whether the student may hand in (or change what they handed in) now.
    pub may_hand_in: bool,
}

/// A file's content to send.
pub struct WorkFileContent {
    pub name: String,
    pub mime: String,
    pub size: u64,
    /// Changes with the content (the blob's hash).
    pub etag: String,
    pub reader: schulhof_blob::BlobReader,
}

/// The recording type of `bytes`: WebM/Matroska, MP4 or Ogg, by their first bytes.
pub fn audio_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("audio/webm")
    } else if bytes.len() >= 8 && &bytes[4..8] == b"ftyp" {
        Some("audio/mp4")
    } else if bytes.starts_with(b"OggS") {
        Some("audio/ogg")
    } else {
        None
    }
}

/// The type a browser may show inline for a handed-in file; anything else is a download.
fn file_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if let Some(a) = audio_type(bytes) {
        a
    } else {
        "application/octet-stream"
    }
}

/// Whether [`check_upload`] takes `bytes` named `name` as a file (not a recording).
pub(crate) fn takes_file(name: &str, bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.len() as u64 <= MAX_FILE
        && clean_name(name, false, file_type(bytes)).is_ok()
}

/// A file to store: checked name, type and size.
pub(crate) struct Checked {
    pub row: FileRow,
    pub bytes: Vec<u8>,
}

/// Checks an upload: a recording must be one (by its bytes) and at most [`MAX_AUDIO`],
/// another file at most [`MAX_FILE`].
pub(crate) fn check_upload(
    name: &str,
    bytes: Vec<u8>,
    audio: bool,
) -> Result<Checked, DomainError> {
    let size = bytes.len() as u64;
    if size == 0 {
        return Err(DomainError::invalid("file", "Die Datei ist leer."));
    }
    let mime = if audio {
        if size > MAX_AUDIO {
            return Err(DomainError::invalid(
                "audio",
                "Die Aufnahme ist zu groß (höchstens 25 MB).",
            ));
        }
        audio_type(&bytes).ok_or_else(|| {
            DomainError::invalid("audio", "Das ist keine Aufnahme (WebM, MP4 oder Ogg).")
        })?
    } else {
        if size > MAX_FILE {
            return Err(DomainError::invalid(
                "file",
                "Die Datei ist zu groß (höchstens 20 MB).",
            ));
        }
        file_type(&bytes)
    };
    let name = clean_name(name, audio, mime)?;
    Ok(Checked {
        row: FileRow {
            id: Uuid::now_v7(),
            role: if audio { "audio" } else { "file" }.into(),
            name,
            mime: mime.into(),
            size: size as i64,
            blob_sha: String::new(),
        },
        bytes,
    })
}

fn clean_name(name: &str, audio: bool, mime: &str) -> Result<String, DomainError> {
    let n: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let n = n.trim().to_owned();
    if !n.is_empty() {
        return Ok(n);
    }
    if audio {
        let ext = match mime {
            "audio/mp4" => "m4a",
            "audio/ogg" => "ogg",
            _ => "webm",
        };
        return Ok(format!("Aufnahme.{ext}"));
    }
    Err(DomainError::invalid("file", "Bitte eine Datei auswählen."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_are_known_by_their_first_bytes() {
        assert_eq!(audio_type(&[0x1A, 0x45, 0xDF, 0xA3, 1]), Some("audio/webm"));
        assert_eq!(audio_type(b"\0\0\0\x20ftypM4A "), Some("audio/mp4"));
        assert_eq!(audio_type(b"OggS\0\x02"), Some("audio/ogg"));
        assert_eq!(audio_type(b"RIFF....WAVE"), None);
        assert!(check_upload("x.webm", b"<html>".to_vec(), true).is_err());
        assert!(check_upload("", b"OggS...".to_vec(), true).is_ok());
    }

    #[test]
    fn grades_follow_the_grading() {
        let s = Settings::of(None);
        assert_eq!(s.grade_of("7").ok().flatten(), Some(("7".into(), true)));
        assert_eq!(s.grade_of("4").ok().flatten(), Some(("4".into(), false)));
        assert!(s.grade_of("11").is_err());
        assert!(s.grade_of("").ok().flatten().is_none());
        // A scale as stored (best first, passed up to the third label) and pass/fail.
        let stored = |grading: &str, scale: &str, pass: i64| {
            Settings::of(Some(AssignmentRow {
                activity_id: ActivityId::new(),
                allow_from: None,
                cutoff_at: None,
                types: "text".into(),
                group_mode: false,
                grading: grading.into(),
                max_points: 0,
                pass_points: pass,
                scale: scale.into(),
            }))
        };
        let s = stored("scale", "sehr gut\ngut\nbefriedigend\nmangelhaft", 2);
        assert_eq!(s.grade_of("gut").ok().flatten(), Some(("gut".into(), true)));
        assert_eq!(
            s.grade_of(" befriedigend ").ok().flatten(),
            Some(("befriedigend".into(), true))
        );
        assert_eq!(
            s.grade_of("mangelhaft").ok().flatten(),
            Some(("mangelhaft".into(), false))
        );
        assert!(s.grade_of("7").is_err());
        let s = stored("passfail", "", 0);
        assert_eq!(
            s.grade_of("pass").ok().flatten(),
            Some(("pass".into(), true))
        );
        assert_eq!(
            s.grade_of("fail").ok().flatten(),
            Some(("fail".into(), false))
        );
        assert!(s.grade_of("gut").is_err());
    }
}
