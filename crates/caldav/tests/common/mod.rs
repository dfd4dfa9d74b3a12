//! An in-memory [`DavStore`] for the protocol tests: a teacher `lehrer` with a personal
//! calendar and address book, a read-only school calendar in their home, and a student
//! `schueler` who sees only their own. The iCalendar handling here is deliberately crude
//! (test data only); the real store parses with calcard in the domain.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use schulhof_caldav::store::*;
use schulhof_caldav::{DavRequest, Provider};

#[derive(Clone, Debug)]
struct Obj {
    data: String,
    etag: String,
    modseq: u64,
}

#[derive(Clone, Debug)]
struct Coll {
    meta: Collection,
    owner: String,
    /// Logins who see it in their home, and whether they may write.
    readers: Vec<(String, bool)>,
    objects: BTreeMap<String, Obj>,
    tombstones: Vec<(String, u64)>,
    /// Tokens before this one are forgotten (tombstones pruned).
    oldest: u64,
}

#[derive(Default)]
pub struct World {
    colls: HashMap<(Kind, String), Coll>,
    principals: Vec<Principal>,
    /// Unique per world: the kept calendar-query answers are shared by the whole process.
    serial: u64,
    /// calendar-query calls that reached the store (not answered from what was kept).
    pub queries: usize,
}

static WORLDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[derive(Clone)]
pub struct Mem {
    world: Arc<Mutex<World>>,
}

#[derive(Clone)]
pub struct MemStore {
    world: Arc<Mutex<World>>,
    me: Principal,
}

pub fn principal(login: &str, name: &str) -> Principal {
    Principal {
        login: login.into(),
        display_name: name.into(),
        email: Some(format!("{login}@100000.nrw.schule")),
    }
}

fn coll(kind: Kind, owner: &str, name: &str, display: &str, writable: bool) -> Coll {
    Coll {
        meta: Collection {
            id: CollectionRef {
                kind,
                home: owner.into(),
                name: name.into(),
            },
            display_name: display.into(),
            description: None,
            color: (kind == Kind::Calendar).then(|| "#3366CCFF".to_owned()),
            sync_token: 1,
            writable,
            manageable: writable,
            components: if kind == Kind::Calendar {
                vec![Component::Event, Component::Todo]
            } else {
                vec![]
            },
        },
        owner: owner.into(),
        readers: vec![(owner.into(), writable)],
        objects: BTreeMap::new(),
        tombstones: Vec::new(),
        oldest: 0,
    }
}

impl Mem {
    pub fn new() -> Self {
        let mut w = World {
            colls: HashMap::new(),
            principals: vec![
                principal("lehrer", "Lena Lehmann"),
                principal("schueler", "Sam Schulz"),
            ],
            serial: WORLDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            queries: 0,
        };
        w.colls.insert(
            (Kind::Calendar, "privat".into()),
            coll(Kind::Calendar, "lehrer", "privat", "Persönlich", true),
        );
        let mut school = coll(
            Kind::Calendar,
            "sekretariat",
            "schule",
            "Schulkalender",
            false,
        );
        school.meta.components = vec![Component::Event];
        school.readers = vec![("lehrer".into(), false), ("schueler".into(), false)];
        w.colls.insert((Kind::Calendar, "schule".into()), school);
        w.colls.insert(
            (Kind::Calendar, "geheim".into()),
            coll(Kind::Calendar, "schueler", "geheim", "Schülers", true),
        );
        w.colls.insert(
            (Kind::AddressBook, "kontakte".into()),
            coll(Kind::AddressBook, "lehrer", "kontakte", "Kontakte", true),
        );
        Mem {
            world: Arc::new(Mutex::new(w)),
        }
    }

    pub fn store(&self, login: &str) -> MemStore {
        let me = self
            .world
            .lock()
            .unwrap()
            .principals
            .iter()
            .find(|p| p.login == login)
            .cloned()
            .unwrap();
        MemStore {
            world: self.world.clone(),
            me,
        }
    }

    /// Puts an object directly (test setup), bypassing preconditions.
    pub fn seed(&self, kind: Kind, coll: &str, name: &str, data: &str) {
        let mut w = self.world.lock().unwrap();
        let c = w.colls.get_mut(&(kind, coll.into())).unwrap();
        c.meta.sync_token += 1;
        let modseq = c.meta.sync_token;
        c.objects.insert(
            name.into(),
            Obj {
                data: data.into(),
                etag: etag(data),
                modseq,
            },
        );
    }

    /// Forgets tombstones and tokens before the current one (as an expiry would).
    /// How many calendar-queries reached the store.
    /// The store's answer scope of a calendar (what the kept answers and fragments are
    /// filed under).
    pub fn scope(&self, calendar: &str) -> String {
        format!("{}/{calendar}", self.world.lock().unwrap().serial)
    }

    pub fn queries(&self) -> usize {
        self.world.lock().unwrap().queries
    }

    pub fn expire_tokens(&self, coll: &str) {
        let mut w = self.world.lock().unwrap();
        let c = w.colls.get_mut(&(Kind::Calendar, coll.into())).unwrap();
        c.oldest = c.meta.sync_token;
        c.tombstones.clear();
    }
}

impl Provider for Mem {
    type Store = MemStore;

    async fn store(&self, parts: &mut Parts) -> Result<MemStore, Response> {
        use base64::Engine;
        let auth = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let decoded = auth
            .strip_prefix("Basic ")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        match decoded.as_str() {
            "lehrer@100000:pw" => Ok(self.store("lehrer")),
            "schueler@100000:pw" => Ok(self.store("schueler")),
            _ => Err((
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"test\"")],
            )
                .into_response()),
        }
    }
}

pub fn etag(data: &str) -> String {
    // FNV-1a: stable across Rust versions, so golden files keep their ETags.
    let h = data.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

fn line<'a>(data: &'a str, prop: &str) -> Option<&'a str> {
    data.lines().find_map(|l| {
        let l = l.trim_end_matches('\r');
        let (name, value) = l.split_once(':')?;
        (name.split(';').next()? == prop).then_some(value)
    })
}

fn when(value: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S"))
        .map(|n| n.and_utc())
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y%m%d")
                .ok()
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc())
        })
}

fn span(data: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let s = when(line(data, "DTSTART")?)?;
    let e = line(data, "DTEND")
        .and_then(when)
        .unwrap_or(s + chrono::Duration::hours(1));
    Some((s, e))
}

fn overlaps(data: &str, r: &TimeRange) -> bool {
    let Some((s, e)) = span(data) else {
        return false;
    };
    r.start.is_none_or(|rs| e > rs) && r.end.is_none_or(|re| s < re)
}

fn text_ok(value: Option<&str>, m: &TextMatch) -> bool {
    let Some(v) = value else { return false };
    let (v, t) = if m.case_sensitive {
        (v.to_owned(), m.text.clone())
    } else {
        (v.to_lowercase(), m.text.to_lowercase())
    };
    let hit = match m.match_type {
        MatchType::Equals => v == t,
        MatchType::Contains => v.contains(&t),
        MatchType::StartsWith => v.starts_with(&t),
        MatchType::EndsWith => v.ends_with(&t),
    };
    hit != m.negate
}

fn prop_ok(data: &str, p: &PropFilter) -> bool {
    let v = line(data, &p.name);
    if p.is_not_defined {
        return v.is_none();
    }
    v.is_some() && p.text_match.iter().all(|m| text_ok(v, m))
}

fn comp_ok(data: &str, f: &CompFilter) -> bool {
    let present = data.contains(&format!("BEGIN:{}", f.name));
    if f.is_not_defined {
        return !present;
    }
    present
        && f.time_range.as_ref().is_none_or(|r| overlaps(data, r))
        && f.props.iter().all(|p| prop_ok(data, p))
        && f.comps.iter().all(|c| comp_ok(data, c))
}

impl MemStore {
    fn with<T>(
        &self,
        id: &CollectionRef,
        f: impl FnOnce(&mut Coll, &Principal) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut w = self.world.lock().unwrap();
        let c = w
            .colls
            .get_mut(&(id.kind, id.name.clone()))
            .ok_or(StoreError::NotFound)?;
        if id.home != self.me.login || !c.readers.iter().any(|(l, _)| *l == self.me.login) {
            return Err(StoreError::NotFound);
        }
        f(c, &self.me)
    }

    fn view(c: &Coll, me: &Principal) -> Collection {
        let mut m = c.meta.clone();
        m.id.home = me.login.clone();
        m.writable = c.readers.iter().any(|(l, w)| *l == me.login && *w);
        m.manageable = c.owner == me.login;
        m
    }
}

fn writable(c: &Coll, me: &Principal) -> StoreResult<()> {
    if c.readers.iter().any(|(l, w)| *l == me.login && *w) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

fn check(pre: &Precondition, cur: Option<&Obj>) -> StoreResult<()> {
    let ok = match (pre, cur) {
        (Precondition::None, _) => true,
        (Precondition::Exists, c) => c.is_some(),
        (Precondition::Absent, c) => c.is_none(),
        (Precondition::IfMatch(t), Some(c)) => &c.etag == t,
        (Precondition::IfMatch(_), None) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(StoreError::PreconditionFailed)
    }
}

fn validate(c: &Coll, name: &str, data: &str) -> StoreResult<()> {
    let (begin, end) = match c.meta.id.kind {
        Kind::Calendar => ("BEGIN:VCALENDAR", "END:VCALENDAR"),
        Kind::AddressBook => ("BEGIN:VCARD", "END:VCARD"),
    };
    if !data.trim_start().starts_with(begin) || !data.contains(end) {
        return Err(StoreError::InvalidData(format!("{begin} … {end} fehlt.")));
    }
    let uid = line(data, "UID").ok_or_else(|| StoreError::InvalidData("UID fehlt.".into()))?;
    if c.meta.id.kind == Kind::Calendar {
        let ok = c
            .meta
            .components
            .iter()
            .any(|k| data.contains(&format!("BEGIN:{}", k.name())));
        if !ok {
            return Err(StoreError::UnsupportedComponent);
        }
    }
    if let Some((other, _)) = c
        .objects
        .iter()
        .find(|(n, o)| *n != name && line(&o.data, "UID") == Some(uid))
    {
        return Err(StoreError::UidConflict(other.clone()));
    }
    Ok(())
}

fn obj(name: &str, o: &Obj) -> Object {
    Object {
        meta: ObjectMeta {
            name: name.into(),
            etag: o.etag.clone(),
        },
        data: o.data.clone(),
    }
}

impl DavStore for MemStore {
    fn me(&self) -> &Principal {
        &self.me
    }

    async fn principal(&self, login: &str) -> StoreResult<Option<Principal>> {
        Ok(self
            .world
            .lock()
            .unwrap()
            .principals
            .iter()
            .find(|p| p.login == login)
            .cloned())
    }

    async fn collections(&self, kind: Kind, home: &str) -> StoreResult<Vec<Collection>> {
        if home != self.me.login {
            return Err(StoreError::NotFound);
        }
        let w = self.world.lock().unwrap();
        let mut v: Vec<Collection> = w
            .colls
            .values()
            .filter(|c| {
                c.meta.id.kind == kind && c.readers.iter().any(|(l, _)| *l == self.me.login)
            })
            .map(|c| Self::view(c, &self.me))
            .collect();
        v.sort_by(|a, b| a.id.name.cmp(&b.id.name));
        Ok(v)
    }

    async fn collection(&self, id: &CollectionRef) -> StoreResult<Option<Collection>> {
        match self.with(id, |c, me| Ok(Self::view(c, me))) {
            Ok(c) => Ok(Some(c)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn objects(&self, id: &CollectionRef) -> StoreResult<Vec<ObjectMeta>> {
        self.with(id, |c, _| {
            Ok(c.objects.iter().map(|(n, o)| obj(n, o).meta).collect())
        })
    }

    async fn get(&self, id: &CollectionRef, name: &str) -> StoreResult<Option<Object>> {
        self.with(id, |c, _| Ok(c.objects.get(name).map(|o| obj(name, o))))
    }

    async fn multiget(&self, id: &CollectionRef, names: &[String]) -> StoreResult<Vec<Object>> {
        self.with(id, |c, _| {
            Ok(names
                .iter()
                .filter_map(|n| c.objects.get(n).map(|o| obj(n, o)))
                .collect())
        })
    }

    async fn put(
        &self,
        id: &CollectionRef,
        name: &str,
        data: &str,
        pre: &Precondition,
    ) -> StoreResult<Written> {
        self.with(id, |c, me| {
            writable(c, me)?;
            check(pre, c.objects.get(name))?;
            validate(c, name, data)?;
            c.meta.sync_token += 1;
            let created = !c.objects.contains_key(name);
            let o = Obj {
                data: data.into(),
                etag: etag(data),
                modseq: c.meta.sync_token,
            };
            let etag = o.etag.clone();
            c.objects.insert(name.into(), o);
            c.tombstones.retain(|(n, _)| n != name);
            Ok(Written { created, etag })
        })
    }

    async fn delete(&self, id: &CollectionRef, name: &str, pre: &Precondition) -> StoreResult<()> {
        self.with(id, |c, me| {
            writable(c, me)?;
            let cur = c.objects.get(name).ok_or(StoreError::NotFound)?;
            check(pre, Some(cur))?;
            c.objects.remove(name);
            c.meta.sync_token += 1;
            c.tombstones.push((name.into(), c.meta.sync_token));
            Ok(())
        })
    }

    async fn answer_scope(&self, id: &CollectionRef) -> Option<String> {
        let serial = self.world.lock().unwrap().serial;
        (id.kind == Kind::Calendar).then(|| format!("{serial}/{}", id.name))
    }

    async fn calendar_query_meta(
        &self,
        id: &CollectionRef,
        filter: &CompFilter,
    ) -> StoreResult<Vec<Object>> {
        let mut v = self.calendar_query(id, filter).await?;
        for o in &mut v {
            o.data.clear();
        }
        Ok(v)
    }

    async fn calendar_query(
        &self,
        id: &CollectionRef,
        filter: &CompFilter,
    ) -> StoreResult<Vec<Object>> {
        self.world.lock().unwrap().queries += 1;
        self.with(id, |c, _| {
            Ok(c.objects
                .iter()
                .filter(|(_, o)| comp_ok(&o.data, filter))
                .map(|(n, o)| obj(n, o))
                .collect())
        })
    }

    async fn card_query(
        &self,
        id: &CollectionRef,
        filter: &CardFilter,
        limit: Option<usize>,
    ) -> StoreResult<Vec<Object>> {
        self.with(id, |c, _| {
            let hit = |d: &str| {
                filter.props.is_empty()
                    || if filter.all_of {
                        filter.props.iter().all(|p| prop_ok(d, p))
                    } else {
                        filter.props.iter().any(|p| prop_ok(d, p))
                    }
            };
            let v = c
                .objects
                .iter()
                .filter(|(_, o)| hit(&o.data))
                .map(|(n, o)| obj(n, o));
            Ok(v.take(limit.unwrap_or(usize::MAX)).collect())
        })
    }

    async fn changes(&self, id: &CollectionRef, since: Option<u64>) -> StoreResult<Changes> {
        self.with(id, |c, _| {
            let since = since.unwrap_or(0);
            if since > c.meta.sync_token || (since > 0 && since < c.oldest) {
                return Err(StoreError::InvalidSyncToken);
            }
            let changed = c
                .objects
                .iter()
                .filter(|(_, o)| o.modseq > since)
                .map(|(n, o)| obj(n, o).meta)
                .collect();
            let deleted = if since == 0 {
                vec![]
            } else {
                c.tombstones
                    .iter()
                    .filter(|(_, m)| *m > since)
                    .map(|(n, _)| n.clone())
                    .collect()
            };
            Ok(Changes {
                token: c.meta.sync_token,
                changed,
                deleted,
            })
        })
    }

    async fn free_busy(&self, id: &CollectionRef, range: &TimeRange) -> StoreResult<Vec<Busy>> {
        self.with(id, |c, _| {
            Ok(c.objects
                .values()
                .filter(|o| overlaps(&o.data, range))
                .filter_map(|o| span(&o.data))
                .map(|(start, end)| Busy {
                    start,
                    end,
                    tentative: false,
                })
                .collect())
        })
    }

    async fn create_collection(
        &self,
        id: &CollectionRef,
        props: &CollectionProps,
    ) -> StoreResult<()> {
        let mut w = self.world.lock().unwrap();
        if w.colls.contains_key(&(id.kind, id.name.clone())) {
            return Err(StoreError::Exists);
        }
        let mut c = coll(id.kind, &self.me.login, &id.name, &id.name, true);
        if let Some(Some(n)) = &props.display_name {
            c.meta.display_name = n.clone();
        }
        if let Some(col) = &props.color {
            c.meta.color = col.clone();
        }
        if !props.components.is_empty() {
            c.meta.components = props.components.clone();
        }
        w.colls.insert((id.kind, id.name.clone()), c);
        Ok(())
    }

    async fn update_collection(
        &self,
        id: &CollectionRef,
        props: &CollectionProps,
    ) -> StoreResult<()> {
        self.with(id, |c, me| {
            if c.owner != me.login {
                return Err(StoreError::Forbidden);
            }
            if let Some(n) = &props.display_name {
                c.meta.display_name = n.clone().unwrap_or_default();
            }
            if let Some(d) = &props.description {
                c.meta.description = d.clone();
            }
            if let Some(col) = &props.color {
                c.meta.color = col.clone();
            }
            c.meta.sync_token += 1;
            Ok(())
        })
    }

    async fn delete_collection(&self, id: &CollectionRef) -> StoreResult<()> {
        self.with(id, |c, me| {
            if c.owner == me.login {
                Ok(())
            } else {
                Err(StoreError::Forbidden)
            }
        })?;
        self.world
            .lock()
            .unwrap()
            .colls
            .remove(&(id.kind, id.name.clone()));
        Ok(())
    }
}

/// A request to the protocol core.
pub fn req(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> DavRequest {
    let mut h = axum::http::HeaderMap::new();
    for (k, v) in headers {
        h.insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    DavRequest {
        method: axum::http::Method::from_bytes(method.as_bytes()).unwrap(),
        path: path.into(),
        headers: h,
        body: axum::body::Bytes::from(body.to_owned()),
    }
}

/// Status, headers and body text of the answer.
pub async fn run(store: &MemStore, r: DavRequest) -> (u16, axum::http::HeaderMap, String) {
    let resp = schulhof_caldav::handle(store, &r).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

pub fn event(uid: &str, start: &str, end: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

pub fn card(uid: &str, name: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{uid}@example.org\r\nEND:VCARD\r\n"
    )
}
