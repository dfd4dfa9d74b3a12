//! A calendar-query filter split into what the domain filters (component, time range) and
//! what is checked here on each returned object (prop-filters: UID on the object's info,
//! others on its text).

use chrono::{DateTime, TimeZone, Utc};
use schulhof_domain::calendar::{self as cal, QueryHit};

use crate::store::{CompFilter, MatchType, PropFilter, TextMatch, TimeRange};

/// What a calendar-query asks, in the domain's terms.
pub(super) struct Plan {
    pub range: Option<cal::TimeRange>,
    pub component: Option<cal::Component>,
    /// `is-not-defined` on the component: objects of any other kind.
    exclude: Option<cal::Component>,
    props: Vec<PropFilter>,
}

/// An open side of a range as a far date the domain's index handles.
pub(super) fn closed(r: &TimeRange) -> cal::TimeRange {
    let far = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single();
    let start = r
        .start
        .or_else(|| far(1900))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let end = r.end.or_else(|| far(2400)).unwrap_or(DateTime::UNIX_EPOCH);
    cal::TimeRange { start, end }
}

fn component(name: &str) -> Option<cal::Component> {
    match name.to_ascii_uppercase().as_str() {
        "VEVENT" => Some(cal::Component::VEvent),
        "VTODO" => Some(cal::Component::VTodo),
        _ => None,
    }
}

/// `None`: nothing can match (not VCALENDAR, or a component the calendars never hold).
pub(super) fn plan(f: &CompFilter) -> Option<Plan> {
    if !f.name.eq_ignore_ascii_case("VCALENDAR") || f.is_not_defined {
        return None;
    }
    let Some(c) = f.comps.first() else {
        return Some(Plan {
            range: f.time_range.as_ref().map(closed),
            component: None,
            exclude: None,
            props: vec![],
        });
    };
    let kind = component(&c.name);
    if c.is_not_defined {
        return Some(Plan {
            range: None,
            component: None,
            exclude: kind,
            props: vec![],
        });
    }
    Some(Plan {
        range: c.time_range.as_ref().map(closed),
        component: Some(kind?),
        exclude: None,
        props: c.props.clone(),
    })
}

impl Plan {
    /// Whether a prop-filter needs the hits' UID or text: the query without texts leaves
    /// both out (the time index does not carry the UID).
    pub fn needs_text(&self) -> bool {
        !self.props.is_empty()
    }

    pub fn keeps(&self, o: &QueryHit) -> bool {
        if self.exclude.is_some_and(|k| k == o.component) {
            return false;
        }
        self.props.iter().all(|p| prop_matches(p, o))
    }
}

fn prop_matches(p: &PropFilter, o: &QueryHit) -> bool {
    let value = if p.name.eq_ignore_ascii_case("UID") {
        Some(o.uid.clone())
    } else {
        raw_value(&o.raw, &p.name)
    };
    let Some(v) = value else {
        return p.is_not_defined;
    };
    if p.is_not_defined {
        return false;
    }
    if p.text_match.is_empty() {
        return true;
    }
    if p.all_of {
        p.text_match.iter().all(|t| text_matches(t, &v))
    } else {
        p.text_match.iter().any(|t| text_matches(t, &v))
    }
}

/// The value of the first property `name` in the (unfolded) text.
fn raw_value(raw: &str, name: &str) -> Option<String> {
    let unfolded = raw
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "");
    unfolded.lines().find_map(|l| {
        let head = l.get(..name.len())?;
        let rest = l.get(name.len()..)?;
        if !head.eq_ignore_ascii_case(name) || !(rest.starts_with(':') || rest.starts_with(';')) {
            return None;
        }
        rest.split_once(':').map(|(_, v)| v.trim_end().to_owned())
    })
}

fn text_matches(t: &TextMatch, value: &str) -> bool {
    let (v, n) = if t.case_sensitive {
        (value.to_owned(), t.text.clone())
    } else {
        (value.to_lowercase(), t.text.to_lowercase())
    };
    let hit = match t.match_type {
        MatchType::Equals => v == n,
        MatchType::Contains => v.contains(&n),
        MatchType::StartsWith => v.starts_with(&n),
        MatchType::EndsWith => v.ends_with(&n),
    };
    hit != t.negate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_value_reads_folded_lines_and_params() {
        let raw = "BEGIN:VEVENT\r\nSUMMARY;LANGUAGE=de:Sprech\r\n stunde\r\nEND:VEVENT\r\n";
        assert_eq!(raw_value(raw, "summary").as_deref(), Some("Sprechstunde"));
        assert_eq!(raw_value(raw, "SUMMARYX"), None);
        assert_eq!(raw_value(raw, "LOCATION"), None);
    }

    #[test]
    fn text_match_honours_case_type_and_negation() {
        let t = |text: &str, match_type, case_sensitive, negate| TextMatch {
            text: text.into(),
            match_type,
            case_sensitive,
            negate,
        };
        assert!(text_matches(
            &t("ABC", MatchType::Equals, false, false),
            "abc"
        ));
        assert!(!text_matches(
            &t("ABC", MatchType::Equals, true, false),
            "abc"
        ));
        assert!(text_matches(
            &t("b", MatchType::Contains, false, false),
            "abc"
        ));
        assert!(!text_matches(
            &t("b", MatchType::Contains, false, true),
            "abc"
        ));
        assert!(text_matches(
            &t("c", MatchType::EndsWith, false, false),
            "abc"
        ));
    }
}
