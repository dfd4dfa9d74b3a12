//! Caption tracks of media material: a WebVTT file with the language of its text, stored
//! among the material's files (role [`CAPTIONS_ROLE`], `text/vtt`) and served from the
//! material's own download address, so exactly who may see the material loads its
//! captions. One track per language and material: a new file for a language replaces the
//! old one. The check is cheap and strict — a file the browser would half-ignore is refused
//! with the line at fault — and never panics, whatever the bytes.

use schulhof_store::files::SHARED_OWNER;
use schulhof_store::lms::outline::{self, FileRow};
use schulhof_store::to_us;
use schulhof_types::ActivityId;
use uuid::Uuid;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The role of a caption track among the material's files.
pub const CAPTIONS_ROLE: &str = "captions";
/// Largest caption file (bytes).
pub const MAX_CAPTIONS: u64 = 1024 * 1024;
/// The language a track has when none is given.
pub const DEFAULT_LANG: &str = "de";

/// Languages the editor offers (tag, name in that language); any other BCP 47 tag is
/// accepted too and labelled with the tag.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("de", "Deutsch"),
    ("en", "English"),
    ("tr", "Türkçe"),
    ("ar", "العربية"),
    ("uk", "Українська"),
    ("ru", "Русский"),
    ("pl", "Polski"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("fa", "فارسی"),
    ("ku", "Kurdî"),
    ("ro", "Română"),
    ("bg", "Български"),
    ("el", "Ελληνικά"),
    ("sq", "Shqip"),
    ("hr", "Hrvatski"),
    ("sr", "Srpski"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
];

/// The label of a track in `lang`: the language's own name, else the tag.
pub fn lang_label(lang: &str) -> String {
    let primary = lang.split('-').next().unwrap_or(lang);
    LANGUAGES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(lang) || t.eq_ignore_ascii_case(primary))
        .map_or_else(|| lang.to_owned(), |(_, name)| (*name).to_owned())
}

/// A checked language tag (`de`, `en`, `pt-BR`, `sr-Latn`): empty gives [`DEFAULT_LANG`];
/// the primary part in lower case.
pub fn clean_lang(lang: &str) -> Result<String, DomainError> {
    let lang = lang.trim();
    if lang.is_empty() {
        return Ok(DEFAULT_LANG.to_owned());
    }
    let bad = || {
        DomainError::invalid(
            "lang",
            "Bitte die Sprache als Kürzel angeben (etwa de, en oder tr).",
        )
    };
    if lang.len() > 35 {
        return Err(bad());
    }
    let mut parts = lang.split('-');
    let primary = parts.next().unwrap_or("");
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(bad());
    }
    let mut out = primary.to_ascii_lowercase();
    for p in parts {
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        out.push('-');
        out.push_str(p);
    }
    Ok(out)
}

fn faulty(line: usize, what: &str) -> DomainError {
    DomainError::invalid(
        "captions",
        format!("Die Untertiteldatei ist fehlerhaft, Zeile {line}: {what}"),
    )
}

const TIMING_EXPECTED: &str = "Zeitangabe erwartet (etwa 00:00:01.000 --> 00:00:04.000).";
const TIME_UNREADABLE: &str =
    "Die Zeitangabe ist nicht lesbar (Stunden:Minuten:Sekunden.Millisekunden, etwa 00:01:02.500).";
const END_BEFORE_START: &str = "Das Ende liegt nicht nach dem Anfang.";
const BLANK_MISSING: &str = "Vor dieser Zeitangabe fehlt eine Leerzeile.";

/// A WebVTT timestamp (`mm:ss.ttt` or `hh:mm:ss.ttt`) in milliseconds.
fn timestamp(s: &str) -> Option<u64> {
    let (clock, millis) = s.split_once('.')?;
    let digits = |p: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let (h, m, sec) = match clock.split(':').collect::<Vec<_>>().as_slice() {
        [m, s] => ("0", *m, *s),
        [h, m, s] if digits(h, 2..=6) => (*h, *m, *s),
        _ => return None,
    };
    if !digits(m, 2..=2) || !digits(sec, 2..=2) || !digits(millis, 3..=3) {
        return None;
    }
    let (h, m, sec, ms): (u64, u64, u64, u64) = (
        h.parse().ok()?,
        m.parse().ok()?,
        sec.parse().ok()?,
        millis.parse().ok()?,
    );
    if m > 59 || sec > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1000 + ms)
}

/// Checks the timing line `line` (number `n`): start, `-->`, end, optional settings.
fn timing(line: &str, n: usize) -> Result<(), DomainError> {
    let Some((start, rest)) = line.split_once("-->") else {
        return Err(faulty(n, TIMING_EXPECTED));
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let end = rest.split([' ', '\t']).next().unwrap_or("");
    let start = start.trim_matches([' ', '\t']);
    let (Some(a), Some(b)) = (timestamp(start), timestamp(end)) else {
        return Err(faulty(n, TIME_UNREADABLE));
    };
    if b <= a {
        return Err(faulty(n, END_BEFORE_START));
    }
    Ok(())
}

/// Whether `line` starts a block of the kind `word` (`NOTE`, `STYLE`, `REGION`).
fn starts_block(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
}

/// Checks a WebVTT file: UTF-8, first line `WEBVTT`, then blocks separated by blank lines —
/// cues (optional identifier, timing line, text), notes, styles and regions. Returns the
/// number of cues (at least one); a fault names its line.
pub fn check_vtt(bytes: &[u8]) -> Result<usize, DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::invalid("captions", "Die Datei ist leer."));
    }
    if bytes.len() as u64 > MAX_CAPTIONS {
        return Err(DomainError::invalid(
            "captions",
            "Die Untertiteldatei ist zu groß (höchstens 1 MB).",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        DomainError::invalid("captions", "Die Untertiteldatei ist kein Text in UTF-8.")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return Err(DomainError::invalid(
            "captions",
            "Die Untertiteldatei ist kein Text in UTF-8.",
        ));
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let first = lines.first().copied().unwrap_or("");
    if !(first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t")) {
        return Err(DomainError::invalid(
            "captions",
            "Das ist keine WebVTT-Untertiteldatei: Die erste Zeile muss mit WEBVTT beginnen.",
        ));
    }
    // The header runs to the first blank line.
    let mut i = 1;
    while i < lines.len() && !lines[i].is_empty() {
        if lines[i].contains("-->") {
            return Err(faulty(i + 1, BLANK_MISSING));
        }
        i += 1;
    }
    let mut cues = 0;
    while i < lines.len() {
        if lines[i].is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < lines.len() && !lines[end].is_empty() {
            end += 1;
        }
        let block = &lines[start..end];
        i = end;
        let head = block[0];
        if !head.contains("-->")
            && (starts_block(head, "NOTE")
                || starts_block(head, "STYLE")
                || starts_block(head, "REGION"))
        {
            continue;
        }
        let t = usize::from(!head.contains("-->"));
        // A first line that starts with a time is a timing line gone wrong (`->`), not
        // an identifier: the fault is there.
        if t == 1
            && head
                .split([' ', '\t'])
                .next()
                .is_some_and(|w| timestamp(w).is_some())
        {
            return Err(faulty(start + 1, TIMING_EXPECTED));
        }
        let Some(line) = block.get(t) else {
            return Err(faulty(start + t + 1, TIMING_EXPECTED));
        };
        timing(line, start + t + 1)?;
        if let Some(k) = block[t + 1..].iter().position(|l| l.contains("-->")) {
            return Err(faulty(start + t + 2 + k, BLANK_MISSING));
        }
        cues += 1;
    }
    if cues == 0 {
        return Err(DomainError::invalid(
            "captions",
            "Die Untertiteldatei enthält keine Untertitel.",
        ));
    }
    Ok(cues)
}

impl Platform {
    /// Adds a caption track (`lang`, empty: German) to media material the caller edits,
    /// replacing the material's track in that language. Counts against the school's quota.
    pub async fn lms_add_captions(
        &self,
        a: &Actor,
        id: ActivityId,
        name: &str,
        bytes: &[u8],
        lang: &str,
    ) -> Result<Uuid, DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        if ctx.activity.kind != "media" {
            return Err(DomainError::invalid(
                "captions",
                "Untertitel gibt es nur für Audio und Video.",
            ));
        }
        let lang = clean_lang(lang)?;
        check_vtt(bytes)?;
        let name: String = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let name = match name.trim() {
            "" => format!("untertitel-{lang}.vtt"),
            n => n.to_owned(),
        };
        let size = bytes.len() as u64;
        let blob = self
            .blobs
            .put(bytes, size)
            .await
            .map_err(crate::files::blob_error)?;
        let row = FileRow {
            id: Uuid::now_v7(),
            activity_id: id,
            role: CAPTIONS_ROLE.into(),
            name,
            mime: "text/vtt".into(),
            size: size as i64,
            blob_sha: blob.sha256,
            node_id: None,
            position: 0,
            lang: Some(lang.clone()),
        };
        let inst = ctx.course.instance;
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, a, SHARED_OWNER, size as i64)
            .await?;
        for old in outline::files_of(&mut tx, inst, id).await? {
            if old.role == CAPTIONS_ROLE && old.lang.as_deref() == Some(lang.as_str()) {
                outline::delete_file(&mut tx, inst, id, old.id).await?;
            }
        }
        outline::insert_file(&mut tx, inst, &row, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(row.id)
    }
}
