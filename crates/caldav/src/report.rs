//! REPORT: calendar-query, calendar-multiget, free-busy-query, addressbook-query,
//! addressbook-multiget and sync-collection (RFC 6578).

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use std::collections::HashMap;

use crate::cache;
use crate::error::{DavError, DavResult};
use crate::fragments::{self, Escaped};
use crate::handler::multistatus;
use crate::path::{self, Target};
use crate::propfind::write;
use crate::props::{self, Data, Res};
use crate::request::{self, Props, Report};
use crate::store::{Busy, Collection, DavStore, Kind, Object, ObjectMeta, Principal, TimeRange};
use crate::xml::write::Multistatus;
use crate::xml::{CALDAV, DAV};

pub async fn report<S: DavStore>(store: &S, target: &Target, body: &Bytes) -> DavResult<Response> {
    let report = request::report(body)?;
    if let Report::Unsupported(n) = &report {
        return Err(DavError::condition(
            StatusCode::FORBIDDEN,
            DAV,
            "supported-report",
            &format!(
                "Der Bericht {{{}}}{} wird hier nicht angeboten.",
                n.ns, n.local
            ),
        ));
    }
    let id = match target {
        Target::Collection(id) => id,
        Target::Object(id, _) => id,
        _ => return Err(unsupported_here()),
    };
    let coll = crate::collection::exists(store, id).await?;
    let me = store.me().clone();
    let err = |e| DavError::from_store(e, Some(id));
    let kind = coll.id.kind;
    match report {
        Report::CalendarQuery { props, filter } if kind == Kind::Calendar => {
            if filter.name != "VCALENDAR" {
                return Err(DavError::condition(
                    StatusCode::FORBIDDEN,
                    CALDAV,
                    "valid-filter",
                    "Der äußerste comp-filter muss VCALENDAR sein.",
                ));
            }
            calendar_query(store, &coll, &filter, &props, &me, body).await
        }
        Report::AddressbookQuery {
            props,
            filter,
            limit,
        } if kind == Kind::AddressBook => {
            let objs = store.card_query(id, &filter, limit).await.map_err(err)?;
            Ok(objects(&coll, &objs, &props, &me))
        }
        Report::CalendarMultiget { props, hrefs } if kind == Kind::Calendar => {
            multiget(store, &coll, &hrefs, &props, &me).await
        }
        Report::AddressbookMultiget { props, hrefs } if kind == Kind::AddressBook => {
            multiget(store, &coll, &hrefs, &props, &me).await
        }
        Report::SyncCollection { token, props, .. } => {
            sync(store, &coll, &token, &props, &me).await
        }
        Report::FreeBusy(range) if kind == Kind::Calendar => {
            let busy = store.free_busy(id, &range).await.map_err(err)?;
            Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
                vfreebusy(&range, &busy),
            )
                .into_response())
        }
        _ => Err(unsupported_here()),
    }
}

/// A calendar-query: the answer kept for this state of the collection, or written anew
/// (reading the texts only when the answer shows them, and then only those whose escaped
/// fragment is not kept).
async fn calendar_query<S: DavStore>(
    store: &S,
    coll: &Collection,
    filter: &crate::store::CompFilter,
    asked: &Props,
    me: &Principal,
    body: &Bytes,
) -> DavResult<Response> {
    let id = &coll.id;
    let scope = store.answer_scope(id).await;
    let key = scope
        .clone()
        .map(|scope| cache::Key::new(scope, coll, me, body));
    if let Some(kept) = key.as_ref().and_then(cache::get) {
        return Ok(multistatus_bytes(kept));
    }
    let err = |e| DavError::from_store(e, Some(id));
    let with_data = matches!(asked, Props::Names(n) if props::wants_data(n));
    let answer = match (with_data, &scope) {
        (true, Some(scope)) => {
            let hits = store.calendar_query_meta(id, filter).await.map_err(err)?;
            let found = escaped(store, id, scope, hits).await.map_err(err)?;
            written_escaped(coll, &found, asked, me)
        }
        (true, None) => {
            let objs = store.calendar_query(id, filter).await.map_err(err)?;
            written(coll, &objs, asked, me)
        }
        (false, _) => {
            let objs = store.calendar_query_meta(id, filter).await.map_err(err)?;
            written(coll, &objs, asked, me)
        }
    };
    let answer = Bytes::from(answer);
    if let Some(key) = key {
        cache::put(key, answer.clone());
    }
    Ok(multistatus_bytes(answer))
}

/// Names read at most per multiget of texts whose fragment is not kept.
const READ_AT_ONCE: usize = 1000;

/// The escaped texts of the hits (names and ETags, texts left empty by the store where it
/// could): the kept fragments written with the same ETag, the rest read by name and kept.
/// A text read here may be newer than its hit (written meanwhile): it answers with the ETag
/// it was read with. A hit deleted meanwhile is left out.
async fn escaped<S: DavStore>(
    store: &S,
    id: &crate::store::CollectionRef,
    scope: &str,
    hits: Vec<Object>,
) -> crate::store::StoreResult<Vec<(ObjectMeta, Escaped)>> {
    let wanted: Vec<(&str, &str)> = hits
        .iter()
        .map(|o| (o.meta.name.as_str(), o.meta.etag.as_str()))
        .collect();
    let held = fragments::get(scope, &wanted);
    let missing: Vec<String> = hits
        .iter()
        .zip(&held)
        .filter(|(o, h)| h.is_none() && o.data.is_empty())
        .map(|(o, _)| o.meta.name.clone())
        .collect();
    let mut read: HashMap<String, Object> = HashMap::with_capacity(missing.len());
    for names in missing.chunks(READ_AT_ONCE) {
        for o in store.multiget(id, names).await? {
            read.insert(o.meta.name.clone(), o);
        }
    }
    let mut fresh = Vec::new();
    let mut out = Vec::with_capacity(hits.len());
    for (o, h) in hits.into_iter().zip(held) {
        let (meta, esc) = match h {
            Some(esc) => (o.meta, esc),
            None => {
                let o = if o.data.is_empty() {
                    match read.remove(&o.meta.name) {
                        Some(r) => r,
                        None => continue,
                    }
                } else {
                    o
                };
                let esc = Escaped::of(&o.data);
                fresh.push((o.meta.name.clone(), o.meta.etag.clone(), esc.clone()));
                (o.meta, esc)
            }
        };
        out.push((meta, esc));
    }
    fragments::put(scope, fresh);
    Ok(out)
}

/// The multistatus document for these objects with their escaped texts: mostly copying.
fn written_escaped(
    coll: &Collection,
    found: &[(ObjectMeta, Escaped)],
    asked: &Props,
    me: &Principal,
) -> String {
    let size: usize = found.iter().map(|(_, e)| e.xml.len() + 300).sum();
    let mut ms = Multistatus::with_capacity(size);
    for (meta, esc) in found {
        write(
            &mut ms,
            &Res::Object {
                coll,
                meta,
                data: Some(Data::Escaped(esc)),
            },
            asked,
            me,
        );
    }
    ms.finish(None)
}

fn multistatus_bytes(body: Bytes) -> Response {
    (
        StatusCode::MULTI_STATUS,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn unsupported_here() -> DavError {
    DavError::condition(
        StatusCode::FORBIDDEN,
        DAV,
        "supported-report",
        "Dieser Bericht wird für diese Ressource nicht angeboten.",
    )
}

fn objects(coll: &Collection, objs: &[Object], asked: &Props, me: &Principal) -> Response {
    multistatus(written(coll, objs, asked, me))
}

/// The multistatus document for these objects.
fn written(coll: &Collection, objs: &[Object], asked: &Props, me: &Principal) -> String {
    let size: usize = objs.iter().map(|o| o.data.len() + 300).sum();
    let mut ms = Multistatus::with_capacity(size + size / 16);
    for o in objs {
        write(
            &mut ms,
            &Res::Object {
                coll,
                meta: &o.meta,
                data: Some(Data::Raw(&o.data)),
            },
            asked,
            me,
        );
    }
    ms.finish(None)
}

async fn multiget<S: DavStore>(
    store: &S,
    coll: &Collection,
    hrefs: &[String],
    asked: &Props,
    me: &Principal,
) -> DavResult<Response> {
    let names: Vec<Option<String>> = hrefs.iter().map(|h| path::object_in(&coll.id, h)).collect();
    let wanted: Vec<String> = names.iter().flatten().cloned().collect();
    let objs = store
        .multiget(&coll.id, &wanted)
        .await
        .map_err(|e| DavError::from_store(e, Some(&coll.id)))?;
    let mut ms = Multistatus::new();
    for (href, name) in hrefs.iter().zip(&names) {
        match name
            .as_ref()
            .and_then(|n| objs.iter().find(|o| &o.meta.name == n))
        {
            Some(o) => write(
                &mut ms,
                &Res::Object {
                    coll,
                    meta: &o.meta,
                    data: Some(Data::Raw(&o.data)),
                },
                asked,
                me,
            ),
            None => ms.status(href, "404 Not Found"),
        }
    }
    Ok(multistatus(ms.finish(None)))
}

async fn sync<S: DavStore>(
    store: &S,
    coll: &Collection,
    token: &str,
    asked: &Props,
    me: &Principal,
) -> DavResult<Response> {
    let id = &coll.id;
    let err = |e| DavError::from_store(e, Some(id));
    let since = if token.is_empty() {
        None
    } else {
        Some(
            props::parse_sync_token(token)
                .ok_or_else(|| err(crate::store::StoreError::InvalidSyncToken))?,
        )
    };
    let changes = store.changes(id, since).await.map_err(err)?;
    let mut ms = Multistatus::new();
    let need_data = matches!(asked, Props::Names(n) if props::wants_data(n));
    if need_data {
        let names: Vec<String> = changes.changed.iter().map(|m| m.name.clone()).collect();
        let objs = store.multiget(id, &names).await.map_err(err)?;
        for o in &objs {
            write(
                &mut ms,
                &Res::Object {
                    coll,
                    meta: &o.meta,
                    data: Some(Data::Raw(&o.data)),
                },
                asked,
                me,
            );
        }
    } else {
        for m in &changes.changed {
            write(
                &mut ms,
                &Res::Object {
                    coll,
                    meta: m,
                    data: None,
                },
                asked,
                me,
            );
        }
    }
    for name in &changes.deleted {
        ms.status(&path::object_href(id, name), "404 Not Found");
    }
    Ok(multistatus(
        ms.finish(Some(&props::sync_token(changes.token))),
    ))
}

/// A VFREEBUSY with busy periods only (RFC 4791 §7.10).
pub fn vfreebusy(range: &TimeRange, busy: &[Busy]) -> String {
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof//CalDAV//DE\r\nBEGIN:VFREEBUSY\r\n",
    );
    out.push_str(&format!("DTSTAMP:{}\r\n", fmt(chrono::Utc::now())));
    if let Some(s) = range.start {
        out.push_str(&format!("DTSTART:{}\r\n", fmt(s)));
    }
    if let Some(e) = range.end {
        out.push_str(&format!("DTEND:{}\r\n", fmt(e)));
    }
    for b in busy {
        let kind = if b.tentative {
            "BUSY-TENTATIVE"
        } else {
            "BUSY"
        };
        out.push_str(&format!(
            "FREEBUSY;FBTYPE={kind}:{}/{}\r\n",
            fmt(b.start),
            fmt(b.end)
        ));
    }
    out.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    out
}
