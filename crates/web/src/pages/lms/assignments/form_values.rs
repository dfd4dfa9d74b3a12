//! The values of the teacher's assignment form: what the form shows (from a sent form or
//! a stored assignment) and the domain's input read from a sent form.

use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{AssignmentInput, AssignmentPage, Grading, SubmissionType};

use super::{Sent, local_value, parse_local};
use crate::auth::Ready;
use crate::when::Zone;

/// What the form shows.
#[derive(Default)]
pub struct Values {
    pub title: String,
    pub instructions: String,
    pub transcript: String,
    pub from: String,
    pub due: String,
    pub cutoff: String,
    pub types: Vec<String>,
    pub group: bool,
    pub grading: String,
    pub max: String,
    pub pass: String,
    pub scale: String,
    pub scale_pass: String,
    pub completion: String,
    pub hidden: bool,
}

impl Values {
    pub fn has(&self, t: &str) -> bool {
        self.types.iter().any(|x| x == t)
    }

    pub fn from_sent(s: &Sent) -> Values {
        Values {
            title: s.get("titel").into(),
            instructions: s.get("anleitung").into(),
            transcript: s.get("transkript").into(),
            from: s.get("ab").into(),
            due: s.get("faellig").into(),
            cutoff: s.get("schluss").into(),
            types: s.all("formen").map(str::to_owned).collect(),
            group: s.get("gruppe") == "ja",
            grading: s.get("bewertung").into(),
            max: s.get("punkte").into(),
            pass: s.get("bestehen").into(),
            scale: s.get("skala").into(),
            scale_pass: s.get("skala_bestehen").into(),
            completion: s.get("abschluss").into(),
            hidden: s.get("versteckt") == "ja",
        }
    }

    pub fn of_page(r: &Ready, p: &AssignmentPage) -> Values {
        let zone = Zone::of(&r.actor);
        let a = &p.ctx.activity;
        let (grading, max, pass, scale, scale_pass) = match &p.settings.grading {
            Grading::Points { max, pass } => (
                "points",
                max.to_string(),
                pass.to_string(),
                String::new(),
                String::new(),
            ),
            Grading::Scale { labels, pass_index } => (
                "scale",
                String::new(),
                String::new(),
                labels.join("\n"),
                labels.get(*pass_index).cloned().unwrap_or_default(),
            ),
            Grading::PassFail => (
                "passfail",
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        Values {
            title: a.title.clone(),
            instructions: a.body.clone(),
            transcript: a.transcript.clone(),
            from: local_value(&zone, p.settings.allow_from),
            due: local_value(&zone, a.due_at),
            cutoff: local_value(&zone, p.settings.cutoff_at),
            types: p
                .settings
                .types
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            group: p.settings.group_mode,
            grading: grading.into(),
            max,
            pass,
            scale,
            scale_pass,
            completion: a.completion.clone(),
            hidden: a.hidden,
        }
    }
}

pub fn input(r: &Ready, s: &Sent) -> Result<AssignmentInput, DomainError> {
    let zone = Zone::of(&r.actor);
    let num = |v: &str, d: i64| {
        v.trim()
            .parse::<i64>()
            .or(if v.trim().is_empty() { Ok(d) } else { Err(()) })
    };
    let grading = match s.get("bewertung") {
        "scale" => {
            let labels: Vec<String> = s
                .get("skala")
                .lines()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect();
            let wanted = s.get("skala_bestehen").trim();
            let pass_index = labels
                .iter()
                .position(|l| l == wanted)
                .unwrap_or(labels.len().saturating_sub(1));
            Grading::Scale { labels, pass_index }
        }
        "passfail" => Grading::PassFail,
        _ => {
            let bad = |_| DomainError::invalid("points", "Punkte bitte als ganze Zahl angeben.");
            let max = num(s.get("punkte"), 10).map_err(bad)?;
            let pass = num(s.get("bestehen"), max / 2).map_err(bad)?;
            Grading::Points { max, pass }
        }
    };
    Ok(AssignmentInput {
        title: s.get("titel").into(),
        instructions: s.get("anleitung").into(),
        transcript: s.get("transkript").into(),
        allow_from: parse_local(&zone, s.get("ab"), "from")?,
        due_at: parse_local(&zone, s.get("faellig"), "due")?,
        cutoff_at: parse_local(&zone, s.get("schluss"), "cutoff")?,
        types: s.all("formen").filter_map(SubmissionType::parse).collect(),
        group_mode: s.get("gruppe") == "ja",
        grading,
        completion: match s.get("abschluss") {
            "" => "submit".into(),
            c => c.into(),
        },
        hidden: s.get("versteckt") == "ja",
    })
}
