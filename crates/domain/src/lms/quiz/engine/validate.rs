//! What a teacher enters (form fields as text) becomes a [`Question`], or a clear error
//! naming the question and the field. Stored definitions are checked by the same rules.

use std::collections::HashSet;

use super::text::parse_number;
use super::{Body, Choice, GapPart, Kind, MAX_ITEMS, MAX_POINTS, MultiScoring, Pair, Question};

const MAX_TEXT: usize = 5000;

/// A question's form, every field as typed. Empty rows of choices and pairs are ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuestionDraft {
    pub kind: String,
    pub prompt: String,
    pub points: String,
    /// Text and whether it is correct (single and multiple choice).
    pub choices: Vec<(String, bool)>,
    pub all_or_nothing: bool,
    /// True/false: the correct statement.
    pub correct: Option<bool>,
    /// Short answer: accepted answers, one per line.
    pub accepted: String,
    pub case_sensitive: bool,
    pub value: String,
    pub tolerance: String,
    pub pairs: Vec<(String, String)>,
    /// Gap text with gaps as `[[answer|other accepted answer]]`.
    pub gap_text: String,
}

/// Why a question cannot be saved: its number (1-based), the field and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftError {
    pub question: usize,
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for DraftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frage {}: {}", self.question, self.message)
    }
}

type Checked<T> = Result<T, (&'static str, String)>;

fn bad<T>(field: &'static str, message: &str) -> Checked<T> {
    Err((field, message.to_owned()))
}

impl QuestionDraft {
    /// The question, checked; `number` names it in errors.
    pub fn check(&self, number: usize) -> Result<Question, DraftError> {
        self.build()
            .and_then(|q| check_question(&q).map(|()| q))
            .map_err(|(field, message)| DraftError {
                question: number,
                field,
                message,
            })
    }

    fn build(&self) -> Checked<Question> {
        let Some(kind) = Kind::parse(&self.kind) else {
            return bad("kind", "Unbekannte Fragenart.");
        };
        let points = match self.points.trim().parse::<u32>() {
            Ok(p) => p,
            Err(_) => return bad("points", "Punkte als ganze Zahl angeben (1 bis 100)."),
        };
        Ok(Question {
            prompt: self.prompt.trim().to_owned(),
            points,
            body: self.body(kind)?,
        })
    }

    fn body(&self, kind: Kind) -> Checked<Body> {
        let choices = || -> Vec<Choice> {
            self.choices
                .iter()
                .filter(|(t, _)| !t.trim().is_empty())
                .map(|(t, c)| Choice {
                    text: t.trim().to_owned(),
                    correct: *c,
                })
                .collect()
        };
        Ok(match kind {
            Kind::SingleChoice => Body::SingleChoice { choices: choices() },
            Kind::MultipleChoice => Body::MultipleChoice {
                choices: choices(),
                scoring: if self.all_or_nothing {
                    MultiScoring::AllOrNothing
                } else {
                    MultiScoring::Partial
                },
            },
            Kind::TrueFalse => match self.correct {
                Some(correct) => Body::TrueFalse { correct },
                None => {
                    return bad(
                        "correct",
                        "Angeben, ob die Aussage richtig oder falsch ist.",
                    );
                }
            },
            Kind::ShortAnswer => Body::ShortAnswer {
                accepted: lines(&self.accepted),
                case_sensitive: self.case_sensitive,
            },
            Kind::Numeric => self.numeric()?,
            Kind::Matching => Body::Matching {
                pairs: self
                    .pairs
                    .iter()
                    .filter(|(l, r)| !(l.trim().is_empty() && r.trim().is_empty()))
                    .map(|(l, r)| Pair {
                        left: l.trim().to_owned(),
                        right: r.trim().to_owned(),
                    })
                    .collect(),
            },
            Kind::GapText => Body::GapText {
                parts: parse_gaps(&self.gap_text).map_err(|m| ("gap_text", m))?,
                case_sensitive: self.case_sensitive,
            },
        })
    }

    fn numeric(&self) -> Checked<Body> {
        let Some(value) = parse_number(&self.value) else {
            return bad("value", "Die richtige Zahl angeben, z. B. 3,5.");
        };
        let tolerance = if self.tolerance.trim().is_empty() {
            0.0
        } else {
            match parse_number(&self.tolerance) {
                Some(t) if t >= 0.0 => t,
                _ => return bad("tolerance", "Die Toleranz ist eine Zahl ab 0, z. B. 0,1."),
            }
        };
        Ok(Body::Numeric { value, tolerance })
    }

    /// The form of a stored question, to edit it.
    pub fn of(q: &Question) -> QuestionDraft {
        let mut d = QuestionDraft {
            kind: q.body.kind().as_str().to_owned(),
            prompt: q.prompt.clone(),
            points: q.points.to_string(),
            ..QuestionDraft::default()
        };
        match &q.body {
            Body::SingleChoice { choices } => d.choices = choice_rows(choices),
            Body::MultipleChoice { choices, scoring } => {
                d.choices = choice_rows(choices);
                d.all_or_nothing = *scoring == MultiScoring::AllOrNothing;
            }
            Body::TrueFalse { correct } => d.correct = Some(*correct),
            Body::ShortAnswer {
                accepted,
                case_sensitive,
            } => {
                d.accepted = accepted.join("\n");
                d.case_sensitive = *case_sensitive;
            }
            Body::Numeric { value, tolerance } => {
                d.value = decimal(*value);
                d.tolerance = decimal(*tolerance);
            }
            Body::Matching { pairs } => {
                d.pairs = pairs
                    .iter()
                    .map(|p| (p.left.clone(), p.right.clone()))
                    .collect();
            }
            Body::GapText {
                parts,
                case_sensitive,
            } => {
                d.gap_text = format_gaps(parts);
                d.case_sensitive = *case_sensitive;
            }
        }
        d
    }
}

fn choice_rows(choices: &[Choice]) -> Vec<(String, bool)> {
    choices
        .iter()
        .map(|c| (c.text.clone(), c.correct))
        .collect()
}

/// A number with a decimal comma, as the German form shows it.
fn decimal(v: f64) -> String {
    v.to_string().replace('.', ",")
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks a question by the rules every source of questions must meet.
fn check_question(q: &Question) -> Checked<()> {
    if q.prompt.is_empty() {
        return bad("prompt", "Der Fragetext fehlt.");
    }
    if q.prompt.chars().count() > MAX_TEXT {
        return bad(
            "prompt",
            "Der Fragetext ist zu lang (höchstens 5000 Zeichen).",
        );
    }
    if q.points == 0 || q.points > MAX_POINTS {
        return bad("points", "Punkte als ganze Zahl angeben (1 bis 100).");
    }
    match &q.body {
        Body::SingleChoice { choices } => check_choices(choices, true),
        Body::MultipleChoice { choices, .. } => check_choices(choices, false),
        Body::TrueFalse { .. } => Ok(()),
        Body::ShortAnswer { accepted, .. } => check_texts("accepted", accepted, 1),
        Body::Numeric { value, tolerance } => {
            if !value.is_finite() || !tolerance.is_finite() || *tolerance < 0.0 {
                return bad("value", "Zahl und Toleranz müssen endliche Zahlen sein.");
            }
            Ok(())
        }
        Body::Matching { pairs } => check_pairs(pairs),
        Body::GapText { parts, .. } => check_gap_parts(parts),
    }
}

fn check_texts(field: &'static str, texts: &[String], min: usize) -> Checked<()> {
    if texts.len() < min || texts.iter().all(|t| t.trim().is_empty()) {
        return bad(field, "Mindestens eine richtige Antwort angeben.");
    }
    if texts.len() > MAX_ITEMS {
        return bad(field, "Höchstens 20 Antworten.");
    }
    if texts
        .iter()
        .any(|t| t.trim().is_empty() || t.chars().count() > 500)
    {
        return bad(field, "Jede Antwort braucht Text (höchstens 500 Zeichen).");
    }
    Ok(())
}

fn check_choices(choices: &[Choice], single: bool) -> Checked<()> {
    if choices.len() < 2 {
        return bad("choices", "Mindestens zwei Antwortmöglichkeiten angeben.");
    }
    let texts: Vec<String> = choices.iter().map(|c| c.text.clone()).collect();
    check_texts("choices", &texts, 2)?;
    let correct = choices.iter().filter(|c| c.correct).count();
    match (single, correct) {
        (true, 1) => Ok(()),
        (true, _) => bad("choices", "Genau eine Antwort als richtig markieren."),
        (false, 0) => bad("choices", "Mindestens eine Antwort als richtig markieren."),
        (false, _) => Ok(()),
    }
}

fn check_pairs(pairs: &[Pair]) -> Checked<()> {
    if pairs.len() < 2 || pairs.len() > MAX_ITEMS {
        return bad("pairs", "Zwei bis 20 Paare angeben.");
    }
    if pairs
        .iter()
        .any(|p| p.left.trim().is_empty() || p.right.trim().is_empty())
    {
        return bad(
            "pairs",
            "Jedes Paar braucht eine linke und eine rechte Seite.",
        );
    }
    let rights: HashSet<String> = pairs.iter().map(|p| p.right.to_lowercase()).collect();
    let lefts: HashSet<String> = pairs.iter().map(|p| p.left.to_lowercase()).collect();
    if rights.len() != pairs.len() || lefts.len() != pairs.len() {
        return bad("pairs", "Jede Seite darf nur einmal vorkommen.");
    }
    Ok(())
}

fn check_gap_parts(parts: &[GapPart]) -> Checked<()> {
    let gaps: Vec<&Vec<String>> = parts
        .iter()
        .filter_map(|p| match p {
            GapPart::Gap(a) => Some(a),
            GapPart::Text(_) => None,
        })
        .collect();
    if gaps.is_empty() {
        return bad(
            "gap_text",
            "Mindestens eine Lücke als [[Antwort]] markieren.",
        );
    }
    if gaps.len() > MAX_ITEMS {
        return bad("gap_text", "Höchstens 20 Lücken.");
    }
    for g in gaps {
        check_texts("gap_text", g, 1)?;
    }
    Ok(())
}

/// Splits a gap text: `[[a|b]]` is a gap accepting "a" and "b".
pub fn parse_gaps(text: &str) -> Result<Vec<GapPart>, String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while let Some(start) = rest.find("[[") {
        let Some(len) = rest[start + 2..].find("]]") else {
            return Err("Eine Lücke wird mit [[ geöffnet, aber nicht mit ]] geschlossen.".into());
        };
        if rest[..start].contains("]]") {
            return Err("Ein ]] ohne öffnendes [[.".into());
        }
        if start > 0 {
            parts.push(GapPart::Text(rest[..start].to_owned()));
        }
        let inner = &rest[start + 2..start + 2 + len];
        if inner.contains("[[") {
            return Err("Lücken dürfen nicht ineinander stehen.".into());
        }
        let accepted = inner
            .split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>();
        if accepted.is_empty() {
            return Err("Jede Lücke braucht mindestens eine richtige Antwort.".into());
        }
        parts.push(GapPart::Gap(accepted));
        rest = &rest[start + 2 + len + 2..];
    }
    if rest.contains("]]") {
        return Err("Ein ]] ohne öffnendes [[.".into());
    }
    if !rest.is_empty() {
        parts.push(GapPart::Text(rest.to_owned()));
    }
    Ok(parts)
}

/// The teacher's notation of a gap text (inverse of [`parse_gaps`]).
pub fn format_gaps(parts: &[GapPart]) -> String {
    parts
        .iter()
        .map(|p| match p {
            GapPart::Text(t) => t.clone(),
            GapPart::Gap(a) => format!("[[{}]]", a.join("|")),
        })
        .collect()
}

/// Checks a stored question (e.g. the demo's), numbered for errors.
pub fn check(q: &Question, number: usize) -> Result<(), DraftError> {
    check_question(q).map_err(|(field, message)| DraftError {
        question: number,
        field,
        message,
    })
}
