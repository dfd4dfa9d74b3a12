//! Collections themselves: MKCALENDAR / extended MKCOL, PROPPATCH of name, description and
//! colour, DELETE.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::{DavError, DavResult};
use crate::handler::{DavRequest, multistatus};
use crate::path::{self, Target};
use crate::request::{self, Patch};
use crate::store::{Collection, CollectionProps, CollectionRef, Component, DavStore, Kind};
use crate::xml::tree::Element;
use crate::xml::write::Multistatus;
use crate::xml::{APPLE, CALDAV, CARDDAV, DAV, Name};

/// The collection, or 404.
pub async fn exists<S: DavStore>(store: &S, id: &CollectionRef) -> DavResult<Collection> {
    store
        .collection(id)
        .await
        .map_err(|e| DavError::from_store(e, Some(id)))?
        .ok_or(DavError::NotFound)
}

pub async fn make<S: DavStore>(
    store: &S,
    target: &Target,
    req: &DavRequest,
) -> DavResult<Response> {
    let Target::Collection(id) = target else {
        return Err(DavError::MethodNotAllowed);
    };
    if id.home != store.me().login {
        return Err(DavError::Forbidden);
    }
    let patch = request::patch(&req.body)?;
    if req.method.as_str() == "MKCOL" {
        check_mkcol_type(&patch, id.kind)?;
    } else if id.kind != Kind::Calendar {
        return Err(DavError::Forbidden);
    }
    let (props, rejected) = collection_props(&patch, id.kind);
    if !rejected.is_empty() {
        return Err(DavError::Bad(format!(
            "Diese Eigenschaften können nicht gesetzt werden: {}",
            rejected
                .iter()
                .map(|n| format!("{{{}}}{}", n.ns, n.local))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    store
        .create_collection(id, &props)
        .await
        .map_err(|e| DavError::from_store(e, Some(id)))?;
    Ok(StatusCode::CREATED.into_response())
}

/// An extended MKCOL (RFC 5689) must ask for the home's kind of collection.
fn check_mkcol_type(patch: &Patch, kind: Kind) -> DavResult<()> {
    let rt = patch.set.iter().find(|(n, _)| n.is(DAV, "resourcetype"));
    let wanted = match kind {
        Kind::Calendar => (CALDAV, "calendar"),
        Kind::AddressBook => (CARDDAV, "addressbook"),
    };
    match rt {
        Some((_, el)) if el.child(wanted.0, wanted.1).is_some() => Ok(()),
        _ => Err(DavError::condition(
            StatusCode::FORBIDDEN,
            DAV,
            "valid-resourcetype",
            "Hier können nur Kalender bzw. Adressbücher angelegt werden.",
        )),
    }
}

/// The settable properties of `patch` and the names of those that cannot be set.
fn collection_props(patch: &Patch, kind: Kind) -> (CollectionProps, Vec<Name>) {
    let mut p = CollectionProps::default();
    let mut rejected = Vec::new();
    let cal = kind == Kind::Calendar;
    for (name, el) in &patch.set {
        let text = || Some(Some(el.text.trim().to_owned()).filter(|t| !t.is_empty()));
        match (name.ns.as_str(), name.local.as_str()) {
            (DAV, "displayname") => p.display_name = text(),
            (DAV, "resourcetype") => {}
            (CALDAV, "calendar-description") if cal => p.description = text(),
            (CARDDAV, "addressbook-description") if !cal => p.description = text(),
            (APPLE, "calendar-color") if cal => p.color = text(),
            (CALDAV, "supported-calendar-component-set") if cal => p.components = components(el),
            // Clients send a time zone and an order along; they are accepted and not kept.
            (CALDAV, "calendar-timezone") | (APPLE, "calendar-order") => {}
            _ => rejected.push(name.clone()),
        }
    }
    for name in &patch.remove {
        match (name.ns.as_str(), name.local.as_str()) {
            (DAV, "displayname") => p.display_name = Some(None),
            (CALDAV, "calendar-description") | (CARDDAV, "addressbook-description") => {
                p.description = Some(None)
            }
            (APPLE, "calendar-color") if cal => p.color = Some(None),
            (CALDAV, "calendar-timezone") | (APPLE, "calendar-order") => {}
            _ => rejected.push(name.clone()),
        }
    }
    (p, rejected)
}

fn components(el: &Element) -> Vec<Component> {
    el.children
        .iter()
        .filter(|c| c.is(CALDAV, "comp"))
        .filter_map(|c| c.attr("name").and_then(Component::from_name))
        .collect()
}

/// PROPPATCH is all or nothing (RFC 4918 §9.2): one refused property fails all (424).
pub async fn proppatch<S: DavStore>(
    store: &S,
    target: &Target,
    body: &[u8],
) -> DavResult<Response> {
    let patch = request::patch(body)?;
    let all: Vec<Name> = patch
        .set
        .iter()
        .map(|(n, _)| n.clone())
        .chain(patch.remove.iter().cloned())
        .collect();
    let (href, id) = match target {
        Target::Collection(id) => (path::collection_href(id), id),
        _ => return Err(DavError::Forbidden),
    };
    let coll = exists(store, id).await?;
    let (props, rejected) = collection_props(&patch, id.kind);
    let mut ms = Multistatus::new();
    if !coll.manageable {
        ms.prop_status(&href, &[(&all, "403 Forbidden")]);
    } else if !rejected.is_empty() {
        let others: Vec<Name> = all
            .iter()
            .filter(|n| !rejected.contains(n))
            .cloned()
            .collect();
        ms.prop_status(
            &href,
            &[
                (&rejected, "403 Forbidden"),
                (&others, "424 Failed Dependency"),
            ],
        );
    } else {
        match store.update_collection(id, &props).await {
            Ok(()) => ms.prop_status(&href, &[(&all, "200 OK")]),
            Err(crate::store::StoreError::Forbidden) => {
                ms.prop_status(&href, &[(&all, "403 Forbidden")])
            }
            Err(e) => return Err(DavError::from_store(e, Some(id))),
        }
    }
    Ok(multistatus(ms.finish(None)))
}

pub async fn delete<S: DavStore>(store: &S, id: &CollectionRef) -> DavResult<Response> {
    store
        .delete_collection(id)
        .await
        .map_err(|e| DavError::from_store(e, Some(id)))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
