//! The adapter from the protocol's [`DavStore`]/[`Provider`] to the domain: every call is
//! one domain service on [`Platform`] for the signed-in actor, so the one policy decides.
//! Login as for `/dav/files/`: HTTP Basic with `login@schulnummer` and the account or an
//! app password, through the same domain function.

mod calendars;
mod errors;
mod filter;

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
        })
    }
}

/// The calendars (and, later, address books) of one signed-in actor.
pub struct DomainStore {
    platform: Platform,
    actor: Arc<Actor>,
    me: Principal,
    /// `calendar.clients`: without it no calendar is visible here.
    calendars: bool,
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

    /// Calendars when `calendar.clients` allows them; address books are not served yet.
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
        if self.calendar_kind(kind).is_err() {
            return Ok(vec![]);
        }
        self.cal_collections().await
    }

    async fn collection(&self, id: &CollectionRef) -> StoreResult<Option<Collection>> {
        if self.own_home(&id.home).is_err() || self.calendar_kind(id.kind).is_err() {
            return Ok(None);
        }
        Ok(self
            .cal_find(&id.name)
            .await?
            .map(|c| self.cal_collection(&c)))
    }

    async fn objects(&self, id: &CollectionRef) -> StoreResult<Vec<ObjectMeta>> {
        let cal = self.cal_resolve(id).await?;
        self.cal_objects(cal).await
    }

    async fn get(&self, id: &CollectionRef, name: &str) -> StoreResult<Option<Object>> {
        let cal = self.cal_resolve(id).await?;
        self.cal_get(cal, name).await
    }

    async fn multiget(&self, id: &CollectionRef, names: &[String]) -> StoreResult<Vec<Object>> {
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
        let cal = self.cal_resolve(id).await?;
        self.cal_put(cal, name, data, pre).await
    }

    async fn delete(&self, id: &CollectionRef, name: &str, pre: &Precondition) -> StoreResult<()> {
        let cal = self.cal_resolve(id).await?;
        self.cal_delete(cal, name, pre).await
    }

    async fn calendar_query(
        &self,
        id: &CollectionRef,
        filter: &CompFilter,
    ) -> StoreResult<Vec<Object>> {
        let cal = self.cal_resolve(id).await?;
        self.cal_query(cal, filter).await
    }

    async fn card_query(
        &self,
        _id: &CollectionRef,
        _filter: &CardFilter,
        _limit: Option<usize>,
    ) -> StoreResult<Vec<Object>> {
        Err(StoreError::NotFound)
    }

    async fn changes(&self, id: &CollectionRef, since: Option<u64>) -> StoreResult<Changes> {
        let cal = self.cal_resolve(id).await?;
        self.cal_changes(cal, since).await
    }

    async fn free_busy(
        &self,
        id: &CollectionRef,
        range: &TimeRange,
    ) -> StoreResult<Vec<crate::store::Busy>> {
        let cal = self.cal_resolve(id).await?;
        self.cal_free_busy(cal, range).await
    }

    async fn create_collection(
        &self,
        id: &CollectionRef,
        _props: &CollectionProps,
    ) -> StoreResult<()> {
        self.own_home(&id.home)?;
        self.calendar_kind(id.kind)?;
        // The domain chooses the segment of a new calendar, a client expects its own URL:
        // until the domain takes a chosen slug, new calendars are made on the web pages.
        Err(StoreError::Forbidden)
    }

    async fn update_collection(
        &self,
        id: &CollectionRef,
        props: &CollectionProps,
    ) -> StoreResult<()> {
        let cal = self.cal_resolve(id).await?;
        self.cal_update(cal, props).await
    }

    async fn delete_collection(&self, id: &CollectionRef) -> StoreResult<()> {
        let cal = self.cal_resolve(id).await?;
        self.cal_delete_collection(cal).await
    }
}
