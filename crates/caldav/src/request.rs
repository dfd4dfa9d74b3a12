//! What a PROPFIND, PROPPATCH, MKCALENDAR or REPORT body asks for, read from the bounded tree.
//! Anything malformed is a [`BadRequest`] with a message saying what is wrong.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::store::{CardFilter, CompFilter, MatchType, PropFilter, TextMatch, TimeRange};
use crate::xml::tree::{self, Element};
use crate::xml::{CALDAV, CARDDAV, DAV, Name};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadRequest(pub String);

impl From<tree::XmlError> for BadRequest {
    fn from(e: tree::XmlError) -> Self {
        BadRequest(e.to_string())
    }
}

fn bad(s: &str) -> BadRequest {
    BadRequest(s.to_owned())
}

/// Which properties are asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Props {
    Names(Vec<Name>),
    All,
    PropName,
}

/// Properties to set (with their elements) and to remove.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patch {
    pub set: Vec<(Name, Element)>,
    pub remove: Vec<Name>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    CalendarQuery {
        props: Props,
        filter: CompFilter,
    },
    CalendarMultiget {
        props: Props,
        hrefs: Vec<String>,
    },
    SyncCollection {
        token: String,
        props: Props,
        limit: Option<usize>,
    },
    AddressbookQuery {
        props: Props,
        filter: CardFilter,
        limit: Option<usize>,
    },
    AddressbookMultiget {
        props: Props,
        hrefs: Vec<String>,
    },
    FreeBusy(TimeRange),
    /// A report we do not offer (403 with DAV:supported-report).
    Unsupported(Name),
}

/// PROPFIND: an empty body means allprop.
pub fn propfind(body: &[u8]) -> Result<Props, BadRequest> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Props::All);
    }
    let root = tree::parse(body)?;
    if !root.is(DAV, "propfind") {
        return Err(bad("PROPFIND erwartet <DAV:propfind>."));
    }
    props_of(&root).ok_or_else(|| bad("<DAV:propfind> braucht prop, allprop oder propname."))
}

/// `prop`, `allprop` or `propname` inside `el`.
fn props_of(el: &Element) -> Option<Props> {
    if let Some(p) = el.child(DAV, "prop") {
        return Some(Props::Names(names(p)));
    }
    if el.child(DAV, "allprop").is_some() {
        return Some(Props::All);
    }
    el.child(DAV, "propname").map(|_| Props::PropName)
}

fn names(prop: &Element) -> Vec<Name> {
    prop.children
        .iter()
        .map(|c| Name::new(&c.ns, &c.name))
        .collect()
}

/// PROPPATCH (`DAV:propertyupdate`) or MKCALENDAR/extended MKCOL (`set` children only).
pub fn patch(body: &[u8]) -> Result<Patch, BadRequest> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Patch::default());
    }
    let root = tree::parse(body)?;
    let ok_root =
        root.is(DAV, "propertyupdate") || root.is(CALDAV, "mkcalendar") || root.is(DAV, "mkcol");
    if !ok_root {
        return Err(bad(
            "Erwartet <DAV:propertyupdate>, <CALDAV:mkcalendar> oder <DAV:mkcol>.",
        ));
    }
    let mut patch = Patch::default();
    for op in &root.children {
        let Some(prop) = op.child(DAV, "prop") else {
            continue;
        };
        if op.is(DAV, "set") {
            for c in &prop.children {
                patch.set.push((Name::new(&c.ns, &c.name), c.clone()));
            }
        } else if op.is(DAV, "remove") {
            patch.remove.extend(names(prop));
        }
    }
    Ok(patch)
}

/// A REPORT body.
pub fn report(body: &[u8]) -> Result<Report, BadRequest> {
    let root = tree::parse(body)?;
    let props = || props_of(&root).unwrap_or(Props::Names(Vec::new()));
    let hrefs = || {
        root.children
            .iter()
            .filter(|c| c.is(DAV, "href"))
            .map(|c| c.text.trim().to_owned())
            .collect::<Vec<_>>()
    };
    Ok(match (root.ns.as_str(), root.name.as_str()) {
        (CALDAV, "calendar-query") => {
            let f = root
                .child(CALDAV, "filter")
                .ok_or_else(|| bad("calendar-query braucht <filter>."))?;
            let comp = f
                .child(CALDAV, "comp-filter")
                .ok_or_else(|| bad("<filter> braucht ein <comp-filter>."))?;
            Report::CalendarQuery {
                props: props(),
                filter: comp_filter(comp)?,
            }
        }
        (CALDAV, "calendar-multiget") => Report::CalendarMultiget {
            props: props(),
            hrefs: hrefs(),
        },
        (CARDDAV, "addressbook-multiget") => Report::AddressbookMultiget {
            props: props(),
            hrefs: hrefs(),
        },
        (CARDDAV, "addressbook-query") => {
            let filter = match root.child(CARDDAV, "filter") {
                Some(f) => card_filter(f)?,
                None => CardFilter {
                    props: Vec::new(),
                    all_of: false,
                },
            };
            Report::AddressbookQuery {
                props: props(),
                filter,
                limit: limit(&root, CARDDAV)?,
            }
        }
        (DAV, "sync-collection") => {
            let token = root
                .child(DAV, "sync-token")
                .map(|t| t.text.trim().to_owned())
                .unwrap_or_default();
            let level = root
                .child(DAV, "sync-level")
                .map(|t| t.text.trim().to_owned());
            if level.as_deref().is_some_and(|l| l != "1") {
                return Err(bad("sync-level muss 1 sein."));
            }
            Report::SyncCollection {
                token,
                props: props(),
                limit: limit(&root, DAV)?,
            }
        }
        (CALDAV, "free-busy-query") => {
            let tr = root
                .child(CALDAV, "time-range")
                .ok_or_else(|| bad("free-busy-query braucht <time-range>."))?;
            Report::FreeBusy(time_range(tr)?)
        }
        (ns, name) => Report::Unsupported(Name::new(ns, name)),
    })
}

/// `<limit><nresults>n</nresults></limit>` in namespace `ns`.
fn limit(root: &Element, ns: &str) -> Result<Option<usize>, BadRequest> {
    let Some(n) = root
        .child(ns, "limit")
        .and_then(|l| l.child(ns, "nresults"))
    else {
        return Ok(None);
    };
    n.text
        .trim()
        .parse()
        .map(Some)
        .map_err(|_| bad("<nresults> ist keine Zahl."))
}

/// A comp-filter; nesting is bounded by the tree's depth limit.
fn comp_filter(el: &Element) -> Result<CompFilter, BadRequest> {
    let name = el
        .attr("name")
        .ok_or_else(|| bad("<comp-filter> braucht name."))?;
    let mut f = CompFilter {
        name: name.to_ascii_uppercase(),
        is_not_defined: el.child(CALDAV, "is-not-defined").is_some(),
        time_range: None,
        props: Vec::new(),
        comps: Vec::new(),
    };
    for c in &el.children {
        if c.is(CALDAV, "time-range") {
            f.time_range = Some(time_range(c)?);
        } else if c.is(CALDAV, "comp-filter") {
            f.comps.push(comp_filter(c)?);
        } else if c.is(CALDAV, "prop-filter") {
            f.props.push(prop_filter(c, CALDAV)?);
        }
    }
    Ok(f)
}

fn card_filter(el: &Element) -> Result<CardFilter, BadRequest> {
    let mut props = Vec::new();
    for c in el.children.iter().filter(|c| c.is(CARDDAV, "prop-filter")) {
        props.push(prop_filter(c, CARDDAV)?);
    }
    Ok(CardFilter {
        props,
        all_of: el.attr("test") == Some("allof"),
    })
}

fn prop_filter(el: &Element, ns: &str) -> Result<PropFilter, BadRequest> {
    let name = el
        .attr("name")
        .ok_or_else(|| bad("<prop-filter> braucht name."))?;
    let mut f = PropFilter {
        name: name.to_ascii_uppercase(),
        is_not_defined: el.child(ns, "is-not-defined").is_some(),
        time_range: None,
        text_match: Vec::new(),
        all_of: el.attr("test") == Some("allof"),
    };
    for c in &el.children {
        if c.is(ns, "time-range") {
            f.time_range = Some(time_range(c)?);
        } else if c.is(ns, "text-match") {
            f.text_match.push(text_match(c)?);
        }
    }
    Ok(f)
}

fn text_match(el: &Element) -> Result<TextMatch, BadRequest> {
    let match_type = match el.attr("match-type").unwrap_or("contains") {
        "equals" => MatchType::Equals,
        "contains" => MatchType::Contains,
        "starts-with" => MatchType::StartsWith,
        "ends-with" => MatchType::EndsWith,
        other => return Err(BadRequest(format!("Unbekannter match-type {other:?}."))),
    };
    let negate = el.attr("negate-condition") == Some("yes");
    let case_sensitive = el.attr("collation") == Some("i;octet");
    Ok(TextMatch {
        text: el.text.clone(),
        match_type,
        case_sensitive,
        negate,
    })
}

fn time_range(el: &Element) -> Result<TimeRange, BadRequest> {
    let start = el.attr("start").map(utc).transpose()?;
    let end = el.attr("end").map(utc).transpose()?;
    if start.is_none() && end.is_none() {
        return Err(bad("<time-range> braucht start oder end."));
    }
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        return Err(bad("<time-range>: end muss nach start liegen."));
    }
    Ok(TimeRange { start, end })
}

/// An iCalendar UTC date-time `20260104T000000Z`.
pub fn utc(s: &str) -> Result<DateTime<Utc>, BadRequest> {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .map(|n| n.and_utc())
        .map_err(|_| {
            BadRequest(format!(
                "Ungültige UTC-Zeit {s:?} (erwartet JJJJMMTTTHHMMSSZ)."
            ))
        })
}
