//! The adapter from the protocol's [`DavStore`]/[`Provider`] to the domain: every call is
//! one domain service on [`Platform`] for the signed-in actor, so the one policy decides.
//! Login as for `/dav/files/`: HTTP Basic with `login@schulnummer` and the account or an
//! app password, through the same domain function.

mod calendars;
mod cards;
mod dues;
mod errors;
mod filter;
mod schedule;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::Response;
use schulhof_domain::Platform;
use schulhof_domain::identity::Actor;
use schulhof_front::{AppState, ClientAddr};

use crate::Provider;
use crate::store::{
    CardFilter, Changes, Collection, CollectionProps, CollectionRef, CompFilter, DavStore, Kind,
    Object, ObjectMeta, Precondition, Principal, StoreError, StoreResult, TimeRange, Written,
};

/// Hands out a [`DomainStore`] for each authenticated request.
#[derive(Clone)]
pub struct DomainProvider(AppState);

impl FromRef<AppState> for DomainProvider {
    fn from_ref(s: &AppState) -> Self {
        DomainProvider(s.clone())
    }
}

impl Provider for DomainProvider {
    type Store = DomainStore;

    async fn store(&self, parts: &mut Parts) -> Result<DomainStore, Response> {
        let Ok(ClientAddr(client)) = ClientAddr::from_request_parts(parts, &self.0).await;
        // The same Basic login as `/dav/files/`.
        let actor = schulhof_dav::basic_auth_actor(&self.0, &parts.headers, &client).await?;
        // The policy says whether this account may use calendar apps at all.
        let calendars = self.0.platform.calendar_clients_allowed(&actor).is_ok();
        let me = Principal {
            login: actor.user.login.clone(),
            display_name: format!("{} {}", actor.user.first_name, actor.user.last_name)
                .trim()
                .to_owned(),
            email: (!actor.user.mail.is_empty()).then(|| actor.user.mail.clone()),
        };
        Ok(DomainStore {
            platform: self.0.platform.clone(),
            actor,
            me,
            calendars,
            carddav: std::sync::OnceLock::new(),
            cal_memo: std::sync::Mutex::new(None),
        })
    }
}

/// The calendars and address books of one signed-in actor.
pub struct DomainStore {
    platform: Platform,
    actor: Arc<Actor>,
    me: Principal,
    /// `calendar.clients`: without it no calendar is visible here.
    calendars: bool,
    /// The school's CardDAV switch, asked once per request when an address book is.
    carddav: std::sync::OnceLock<bool>,
    /// The visible calendars, listed once per request (see `cal_find`).
    cal_memo: std::sync::Mutex<Option<Vec<schulhof_domain::calendar::CalendarInfo>>>,
}

impl DomainStore {
    /// Only the caller's own home exists for the caller.
    fn own_home(&self, home: &str) -> StoreResult<()> {
        if home == self.me.login {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Calendars when `calendar.clients` allows them (address books go to `cards`).
    fn calendar_kind(&self, kind: Kind) -> StoreResult<()> {
        if kind == Kind::Calendar && self.calendars {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}

impl DavStore for DomainStore {
    fn me(&self) -> &Principal {
        &self.me
    }

    async fn principal(&self, login: &str) -> StoreResult<Option<Principal>> {
        Ok((login == self.me.login).then(|| self.me.clone()))
    }

    async fn collections(&self, kind: Kind, home: &str) -> StoreResult<Vec<Collection>> {
        self.own_home(home)?;
        if kind == Kind::AddressBook {
            return self.card_collections().await;
        }
        if self.calendar_kind(kind).is_err() {
            return Ok(vec![]);
        }
        let mut all = self.cal_collections().await?;
        all.push(self.dues_collection().await?);
        Ok(all)
    }

    async fn collection(&self, id: &CollectionRef) -> StoreResult<Option<Collection>> {
        if self.is_dues(id) {
            return self.dues_collection().await.map(Some);
        }
        if id.kind == Kind::AddressBook {
            return self.card_collection(id).await;
        }
        if self.own_home(&id.home).is_err() || self.calendar_kind(id.kind).is_err() {
            return Ok(None);
        }
        Ok(self
            .cal_find(&id.name)
            .await?
            .map(|c| self.cal_collection(&c)))
    }

    async fn objects(&self, id: &CollectionRef) -> StoreResult<Vec<ObjectMeta>> {
        if self.is_dues(id) {
            return self.dues_objects().await;
        }
        if id.kind == Kind::AddressBook {
            return self.card_objects(self.card_resolve(id).await?).await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_objects(cal).await
    }

    async fn get(&self, id: &CollectionRef, name: &str) -> StoreResult<Option<Object>> {
        if self.is_dues(id) {
            return self.dues_get(name).await;
        }
        if id.kind == Kind::AddressBook {
            return self.card_get(self.card_resolve(id).await?, name).await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_get(cal, name).await
    }

    async fn multiget(&self, id: &CollectionRef, names: &[String]) -> StoreResult<Vec<Object>> {
        if self.is_dues(id) {
            return self.dues_multiget(names).await;
        }
        if id.kind == Kind::AddressBook {
            return self
                .card_multiget(self.card_resolve(id).await?, names)
                .await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_multiget(cal, names).await
    }

    async fn put(
        &self,
        id: &CollectionRef,
        name: &str,
        data: &str,
        pre: &Precondition,
    ) -> StoreResult<Written> {
        if self.is_dues(id) {
            return Err(StoreError::Forbidden); // due dates are changed in the course
        }
        if id.kind == Kind::AddressBook {
            return self
                .card_put(self.card_resolve(id).await?, name, data, pre)
                .await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_put(cal, name, data, pre).await
    }

    async fn delete(&self, id: &CollectionRef, name: &str, pre: &Precondition) -> StoreResult<()> {
        if self.is_dues(id) {
            return Err(StoreError::Forbidden);
        }
        if id.kind == Kind::AddressBook {
            return self
                .card_delete(self.card_resolve(id).await?, name, pre)
                .await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_delete(cal, name, pre).await
    }

    async fn calendar_query(
        &self,
        id: &CollectionRef,
        filter: &CompFilter,
    ) -> StoreResult<Vec<Object>> {
        if self.is_dues(id) {
            return self.dues_query(filter).await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_query(cal, filter, true).await
    }

    async fn calendar_query_meta(
        &self,
        id: &CollectionRef,
        filter: &CompFilter,
    ) -> StoreResult<Vec<Object>> {
        if self.is_dues(id) {
            return self.dues_query(filter).await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_query(cal, filter, false).await
    }

    /// The school and the calendar's id; the due dates (made from the courses, with no
    /// sync token of their own calendar) are never kept.
    async fn answer_scope(&self, id: &CollectionRef) -> Option<String> {
        if self.is_dues(id) || id.kind != Kind::Calendar {
            return None;
        }
        let cal = self.cal_resolve(id).await.ok()?;
        Some(format!("{}/{}", self.actor.token.instance().0, cal.id))
    }

    async fn card_query(
        &self,
        id: &CollectionRef,
        filter: &CardFilter,
        limit: Option<usize>,
    ) -> StoreResult<Vec<Object>> {
        let book = self.card_resolve(id).await?;
        DomainStore::card_query(self, book, filter, limit).await
    }

    async fn changes(&self, id: &CollectionRef, since: Option<u64>) -> StoreResult<Changes> {
        if self.is_dues(id) {
            return self.dues_changes(since).await;
        }
        if id.kind == Kind::AddressBook {
            return self.card_changes(self.card_resolve(id).await?, since).await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_changes(cal, since).await
    }

    async fn free_busy(
        &self,
        id: &CollectionRef,
        range: &TimeRange,
    ) -> StoreResult<Vec<crate::store::Busy>> {
        if self.is_dues(id) {
            return Ok(vec![]); // due dates block no time
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_free_busy(cal, range).await
    }

    async fn create_collection(
        &self,
        id: &CollectionRef,
        props: &CollectionProps,
    ) -> StoreResult<()> {
        self.own_home(&id.home)?;
        // Address books have no URL of their own choosing yet: made on the web pages.
        self.calendar_kind(id.kind)?;
        if id.name == dues::SEGMENT {
            return Err(StoreError::Exists);
        }
        self.cal_create(&id.name, props).await
    }

    async fn update_collection(
        &self,
        id: &CollectionRef,
        props: &CollectionProps,
    ) -> StoreResult<()> {
        if self.is_dues(id) {
            return Err(StoreError::Forbidden);
        }
        if id.kind == Kind::AddressBook {
            return self.card_update(self.card_resolve(id).await?, props).await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_update(cal, props).await
    }

    async fn delete_collection(&self, id: &CollectionRef) -> StoreResult<()> {
        if self.is_dues(id) {
            return Err(StoreError::Forbidden);
        }
        if id.kind == Kind::AddressBook {
            return self
                .card_delete_collection(self.card_resolve(id).await?)
                .await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_delete_collection(cal).await
    }

    async fn delete_scheduled(
        &self,
        id: &CollectionRef,
        name: &str,
        pre: &Precondition,
        reply: bool,
    ) -> StoreResult<()> {
        if id.kind == Kind::AddressBook || reply || self.is_dues(id) {
            return self.delete(id, name, pre).await;
        }
        let cal = self.cal_resolve(id).await?;
        self.cal_delete_quietly(cal, name, pre).await
    }

    async fn schedule_free_busy(&self, request: &str) -> StoreResult<crate::store::FreeBusyReply> {
        self.cal_free_busy_request(request).await
    }
}
