//! The SVWS-Server "Lernplattform V1" JSON export (format spec §8), the successor of the
//! Schild XML. Unknown fields are ignored so later revisions of the export still read.

mod build;
mod consent;

use std::io::BufRead;

use serde::{Deserialize, Deserializer};

use crate::model::{ImportData, Position, ReadError};
use build::Build;

/// `null` where a list or text is expected reads as empty, as SVWS writes both.
fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    #[serde(default)]
    schulnummer: serde_json::Value,
    #[serde(default)]
    schuljahr: serde_json::Value,
    #[serde(default, deserialize_with = "nullable")]
    klassen: Vec<Klasse>,
    #[serde(default)]
    lehrer: Option<Vec<Lehrer>>,
    #[serde(default, deserialize_with = "nullable")]
    lerngruppen: Vec<Lerngruppe>,
    #[serde(default)]
    schueler: Option<Vec<Schueler>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Klasse {
    id: i64,
    #[serde(default, deserialize_with = "nullable")]
    kuerzel: String,
    #[serde(default, deserialize_with = "nullable")]
    kuerzel_anzeige: String,
    #[serde(default, deserialize_with = "nullable")]
    ids_klassenlehrer: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lehrer {
    id: i64,
    #[serde(default, deserialize_with = "nullable")]
    nachname: String,
    #[serde(default, deserialize_with = "nullable")]
    vorname: String,
    #[serde(default, deserialize_with = "nullable")]
    email_dienstlich: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lerngruppe {
    id: i64,
    id_intern: i64,
    #[serde(default)]
    id_fach: Option<i64>,
    #[serde(default)]
    id_kursart: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    bezeichnung: String,
    #[serde(default, deserialize_with = "nullable")]
    ids_lehrer: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Schueler {
    id: i64,
    #[serde(default)]
    id_klasse: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    nachname: String,
    #[serde(default, deserialize_with = "nullable")]
    vorname: String,
    #[serde(default, deserialize_with = "nullable")]
    geburtsdatum: String,
    #[serde(default)]
    status: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    ids_lerngruppen: Vec<i64>,
    /// The consent flags SVWS keeps per pupil and learning platform (spec §8: not yet in
    /// the JSON export; read when present, by SVWS's own field names in either spelling).
    #[serde(default, alias = "EinwilligungAudiokonferenz")]
    einwilligung_audiokonferenz: Option<serde_json::Value>,
    #[serde(default, alias = "EinwilligungVideokonferenz")]
    einwilligung_videokonferenz: Option<serde_json::Value>,
}

pub(crate) fn read(
    input: Box<dyn BufRead + '_>,
    with_students: bool,
) -> Result<ImportData, ReadError> {
    let export: Export = serde_json::from_reader(input).map_err(json_error)?;
    if export.lehrer.is_none() && export.schueler.is_none() {
        return Err(ReadError::whole_file(
            "this JSON is no SVWS Lernplattform export: it has neither \"lehrer\" nor \"schueler\"",
        ));
    }
    Ok(Build::new(with_students).run(export))
}

fn json_error(e: serde_json::Error) -> ReadError {
    if e.is_io() {
        return ReadError::whole_file(e.to_string());
    }
    let position = Position {
        line: Some(e.line() as u64),
        column: Some(e.column().to_string()),
        path: None,
    };
    let what = if e.is_eof() {
        "is truncated"
    } else {
        "is not a valid SVWS Lernplattform export"
    };
    ReadError::new(position, format!("the JSON {what}: {e}"))
}
