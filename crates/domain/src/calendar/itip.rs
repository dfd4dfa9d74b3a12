//! The scheduling parts of an iCalendar object (RFC 5546/6638), read and changed with
//! calcard: ORGANIZER, ATTENDEEs with their PARTSTAT and SCHEDULE-AGENT, the copy an
//! attendee gets, and a cancelled event.

use calcard::icalendar::{
    ICalendar, ICalendarComponentType as Ty, ICalendarEntry, ICalendarMethod, ICalendarParameter,
    ICalendarParameterName as PN, ICalendarParameterValue as PV,
    ICalendarParticipationStatus as PS, ICalendarProperty as P, ICalendarStatus,
    ICalendarUserTypes, ICalendarValue, Uri,
};
use serde::Serialize;

/// An attendee's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartStat {
    NeedsAction,
    Accepted,
    Declined,
    Tentative,
}

impl PartStat {
    pub fn as_str(self) -> &'static str {
        match self {
            PartStat::NeedsAction => "NEEDS-ACTION",
            PartStat::Accepted => "ACCEPTED",
            PartStat::Declined => "DECLINED",
            PartStat::Tentative => "TENTATIVE",
        }
    }

    /// The answer named by `s` (case-insensitive); anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::NeedsAction,
            Self::Accepted,
            Self::Declined,
            Self::Tentative,
        ]
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
    }

    fn ical(self) -> PS {
        match self {
            PartStat::NeedsAction => PS::NeedsAction,
            PartStat::Accepted => PS::Accepted,
            PartStat::Declined => PS::Declined,
            PartStat::Tentative => PS::Tentative,
        }
    }
}

/// One ATTENDEE of the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    /// The address without `mailto:`, in lower case.
    pub address: String,
    pub partstat: PartStat,
    pub group: bool,
    /// SCHEDULE-AGENT=SERVER (the default): the server delivers to this attendee.
    pub by_server: bool,
    /// CN, the name shown.
    pub name: Option<String>,
    /// Listed as the member of an invited group (MEMBER=…).
    pub member: bool,
}

/// `mailto:X` → `x`; other URIs as they are, lower case.
pub fn address(value: &str) -> String {
    let v = value.trim();
    let v = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("mailto:") {
        &v[7..]
    } else {
        v
    };
    v.to_lowercase()
}

fn events(ical: &ICalendar) -> impl Iterator<Item = &calcard::icalendar::ICalendarComponent> {
    ical.components
        .iter()
        .filter(|c| c.component_type == Ty::VEvent)
}

fn entry_address(e: &ICalendarEntry) -> Option<String> {
    e.values.first().and_then(|v| v.as_text()).map(address)
}

/// The organiser's address, if the object has one.
pub fn organizer(ical: &ICalendar) -> Option<String> {
    events(ical)
        .find_map(|c| c.property(&P::Organizer))
        .and_then(entry_address)
        .filter(|a| !a.is_empty())
}

/// Every ATTENDEE of the events of the object, each address once (the master's first).
pub fn attendees(ical: &ICalendar) -> Vec<Attendee> {
    let mut out: Vec<Attendee> = Vec::new();
    for e in events(ical).flat_map(|c| c.entries.iter()) {
        if e.name != P::Attendee {
            continue;
        }
        let Some(addr) = entry_address(e).filter(|a| !a.is_empty()) else {
            continue;
        };
        if out.iter().any(|a| a.address == addr) {
            continue;
        }
        let partstat = e
            .parameter(&PN::Partstat)
            .and_then(|v| v.as_text())
            .and_then(PartStat::parse)
            .unwrap_or(PartStat::NeedsAction);
        let group = matches!(
            e.parameter(&PN::Cutype),
            Some(PV::Cutype(ICalendarUserTypes::Group))
        );
        let by_server = e
            .parameter(&PN::ScheduleAgent)
            .and_then(|v| v.as_text())
            .is_none_or(|v| v.eq_ignore_ascii_case("SERVER"));
        out.push(Attendee {
            address: addr,
            partstat,
            group,
            by_server,
            name: e
                .parameter(&PN::Cn)
                .and_then(|v| v.as_text())
                .map(str::to_owned),
            member: e.has_parameter(&PN::Member),
        });
    }
    out
}

/// The PARTSTAT of `addr` in the object (the master's), if it is an attendee.
pub fn partstat_of(ical: &ICalendar, addr: &str) -> Option<PartStat> {
    attendees(ical)
        .into_iter()
        .find(|a| a.address == addr)
        .map(|a| a.partstat)
}

fn set_param(e: &mut ICalendarEntry, name: PN, value: PV) {
    e.params.retain(|p| p.name != name);
    e.params.push(ICalendarParameter::new(name, value));
}

/// Sets the PARTSTAT of `addr` in every event of the object. When `addr` is no attendee
/// yet (a member of an invited group), an ATTENDEE is added with MEMBER=`member_of`.
pub fn set_partstat(ical: &mut ICalendar, addr: &str, ps: PartStat, member_of: Option<&str>) {
    for c in ical.components.iter_mut() {
        if c.component_type != Ty::VEvent {
            continue;
        }
        let mut found = false;
        for e in c.entries.iter_mut() {
            if e.name == P::Attendee && entry_address(e).as_deref() == Some(addr) {
                set_param(e, PN::Partstat, PV::Partstat(ps.ical()));
                e.params.retain(|p| p.name != PN::Rsvp);
                found = true;
            }
        }
        if !found {
            let mut params = vec![
                ICalendarParameter::new(PN::Cutype, PV::Cutype(ICalendarUserTypes::Individual)),
                ICalendarParameter::new(PN::Partstat, PV::Partstat(ps.ical())),
            ];
            if let Some(g) = member_of {
                params.push(ICalendarParameter::new(
                    PN::Member,
                    PV::Uri(Uri::Location(format!("mailto:{g}"))),
                ));
            }
            c.entries.push(ICalendarEntry {
                name: P::Attendee,
                params,
                values: vec![ICalendarValue::Uri(Uri::Location(format!("mailto:{addr}")))],
            });
        }
    }
}

fn uri(addr: &str) -> ICalendarValue {
    ICalendarValue::Uri(Uri::Location(format!("mailto:{addr}")))
}

/// Makes `addr` the ORGANIZER of every event that has none.
pub fn set_organizer(ical: &mut ICalendar, addr: &str, name: &str) {
    for c in ical.components.iter_mut() {
        if c.component_type == Ty::VEvent && !c.entries.iter().any(|e| e.name == P::Organizer) {
            c.entries.push(ICalendarEntry {
                name: P::Organizer,
                params: vec![ICalendarParameter::new(PN::Cn, PV::Text(name.to_owned()))],
                values: vec![uri(addr)],
            });
        }
    }
}

/// Adds `addr` as an ATTENDEE (asked to answer) to every event that lacks it.
pub fn add_attendee(ical: &mut ICalendar, addr: &str, name: &str, group: bool) {
    let cutype = if group {
        ICalendarUserTypes::Group
    } else {
        ICalendarUserTypes::Individual
    };
    for c in ical.components.iter_mut() {
        if c.component_type != Ty::VEvent
            || c.entries
                .iter()
                .any(|e| e.name == P::Attendee && entry_address(e).as_deref() == Some(addr))
        {
            continue;
        }
        c.entries.push(ICalendarEntry {
            name: P::Attendee,
            params: vec![
                ICalendarParameter::new(PN::Cn, PV::Text(name.to_owned())),
                ICalendarParameter::new(PN::Cutype, PV::Cutype(cutype.clone())),
                ICalendarParameter::new(PN::Partstat, PV::Partstat(PS::NeedsAction)),
                ICalendarParameter::new(PN::Rsvp, PV::Bool(true)),
            ],
            values: vec![uri(addr)],
        });
    }
}

/// Removes `addr` (and the members it stood for) from the attendees of every event.
pub fn remove_attendee(ical: &mut ICalendar, addr: &str) {
    let member = format!("mailto:{addr}");
    for c in ical.components.iter_mut() {
        c.entries.retain(|e| {
            e.name != P::Attendee
                || (entry_address(e).as_deref() != Some(addr)
                    && !e
                        .parameter(&PN::Member)
                        .and_then(|v| v.as_text())
                        .is_some_and(|m| m.eq_ignore_ascii_case(&member)))
        });
    }
}

/// Sets STATUS:CANCELLED on every event of the object (METHOD:CANCEL semantics).
pub fn cancel(ical: &mut ICalendar) {
    for c in ical.components.iter_mut() {
        if c.component_type != Ty::VEvent {
            continue;
        }
        c.entries.retain(|e| e.name != P::Status);
        c.entries.push(ICalendarEntry {
            name: P::Status,
            params: vec![],
            values: vec![ICalendarValue::Status(ICalendarStatus::Cancelled)],
        });
    }
}

/// The organiser's object without its alarms (they are the organiser's own).
fn without_alarms(master: &ICalendar) -> ICalendar {
    let mut copy = master.clone();
    let alarms: Vec<u32> = copy
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.component_type == Ty::VAlarm)
        .map(|(i, _)| i as u32)
        .collect();
    if !alarms.is_empty() {
        copy.remove_component_ids(&alarms);
    }
    copy
}

/// The attendee's copy of the organiser's object: its PARTSTAT set (and listed, if it came
/// through a group), the organiser's alarms left out.
pub fn copy_for(master: &ICalendar, addr: &str, ps: PartStat, group: Option<&str>) -> String {
    let mut copy = without_alarms(master);
    set_partstat(&mut copy, addr, ps, group);
    copy.to_string()
}

/// The iTIP message (RFC 5546) of the organiser's object as a mail carries it (iMIP,
/// RFC 6047): METHOD:REQUEST, or with `cancel` METHOD:CANCEL and STATUS:CANCELLED; the
/// organiser's alarms left out. `also` are attendees the message names besides the
/// object's own (those a CANCEL takes out of the event).
pub fn message(master: &ICalendar, cancel_it: bool, also: &[&str]) -> String {
    let mut m = without_alarms(master);
    if cancel_it {
        cancel(&mut m);
    }
    for a in also {
        if partstat_of(&m, a).is_none() {
            set_partstat(&mut m, a, PartStat::NeedsAction, None);
        }
    }
    let method = if cancel_it {
        ICalendarMethod::Cancel
    } else {
        ICalendarMethod::Request
    };
    if let Some(root) = m
        .components
        .first_mut()
        .filter(|c| c.component_type == Ty::VCalendar)
    {
        root.entries.retain(|e| e.name != P::Method);
        let at = root
            .entries
            .iter()
            .position(|e| e.name == P::Prodid || e.name == P::Version)
            .map_or(0, |i| i + 1);
        root.entries.insert(
            at.min(root.entries.len()),
            ICalendarEntry {
                name: P::Method,
                params: vec![],
                values: vec![ICalendarValue::Method(method)],
            },
        );
    }
    m.to_string()
}

/// Whether the component an occurrence comes from blocks time: not TRANSP:TRANSPARENT and
/// not STATUS:CANCELLED (an exception may cancel a single occurrence).
pub fn blocks(ical: &ICalendar, comp: u32) -> bool {
    let Some(c) = ical.components.get(comp as usize) else {
        return true;
    };
    !matches!(
        c.transparency(),
        Some(calcard::icalendar::ICalendarTransparency::Transparent)
    ) && !matches!(c.status(), Some(ICalendarStatus::Cancelled))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ICalendar {
        crate::calendar::ical::parse_one(s).expect("parsed")
    }

    const EV: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20261203T100000Z\r\nDTEND:20261203T110000Z\r\nSUMMARY:Konferenz\r\nORGANIZER;CN=Lena:mailto:Lena.Test@schule.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:lena.test@schule.example\r\nATTENDEE;CUTYPE=GROUP:mailto:verteiler-5a@schule.example\r\nATTENDEE;RSVP=TRUE;SCHEDULE-AGENT=CLIENT:mailto:ext@else.example\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn organizer_and_attendees_are_read() {
        let i = parse(EV);
        assert_eq!(organizer(&i).as_deref(), Some("lena.test@schule.example"));
        let a = attendees(&i);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].partstat, PartStat::Accepted);
        assert!(a[1].group && a[1].by_server);
        assert!(!a[2].by_server);
    }

    #[test]
    fn messages_carry_the_method() {
        let i = parse(EV);
        let req = message(&i, false, &[]);
        assert!(req.contains("METHOD:REQUEST\r\n"), "{req}");
        assert!(
            !req.contains("VALARM") && !req.contains("CANCELLED"),
            "{req}"
        );
        assert_eq!(organizer(&parse(&req)), organizer(&i));
        let gone = message(&i, true, &["ben.test@schule.example"]);
        assert!(gone.contains("METHOD:CANCEL\r\n"), "{gone}");
        assert!(gone.contains("STATUS:CANCELLED"), "{gone}");
        assert!(partstat_of(&parse(&gone), "ben.test@schule.example").is_some());
        assert_eq!(gone.matches("METHOD:").count(), 1);
    }

    #[test]
    fn a_copy_carries_the_answer_and_no_alarm() {
        let i = parse(EV);
        let copy = copy_for(
            &i,
            "anna.test@schule.example",
            PartStat::NeedsAction,
            Some("verteiler-5a@schule.example"),
        );
        assert!(!copy.contains("VALARM"), "{copy}");
        let c = parse(&copy);
        assert_eq!(
            partstat_of(&c, "anna.test@schule.example"),
            Some(PartStat::NeedsAction)
        );
        let mut c = c;
        set_partstat(
            &mut c,
            "anna.test@schule.example",
            PartStat::Tentative,
            None,
        );
        assert_eq!(
            partstat_of(&c, "anna.test@schule.example"),
            Some(PartStat::Tentative)
        );
        cancel(&mut c);
        let text = c.to_string();
        assert!(text.contains("STATUS:CANCELLED"), "{text}");
        let idx = parse(&text)
            .components
            .iter()
            .position(|x| x.component_type == Ty::VEvent);
        assert!(!blocks(&parse(&text), idx.expect("event") as u32));
    }
}
