//! The caller's rooms: the list with unread counts, one room's facts for the policy,
//! direct chats and ad-hoc rooms.

use schulhof_authz::chat::{
    CreateRoom, Peer, PostMessage, RoomFacts, RoomKind, SeeRoom, StartDirect, held_in_quiet_hours,
    moderates,
};
use schulhof_authz::{Principal, check};
use schulhof_store::chat::RoomId;
use schulhof_store::chat::rooms::{self as store, NewRoom, RoomRow};
use schulhof_store::{AsConn, from_us, to_us, users};
use schulhof_types::{AccountType, FunctionRole, UserId};

use super::RoomView;
use crate::identity::{Actor, principal_of};
use crate::notify::quiet::hhmm;
use crate::{DomainError, Platform};

/// The longest room name, in characters.
const MAX_NAME: usize = 80;

fn kind_of(r: &RoomRow) -> Result<RoomKind, DomainError> {
    RoomKind::parse(&r.kind).ok_or_else(|| DomainError::Internal("unknown room kind".into()))
}

fn view(r: RoomRow, facts: &RoomFacts, actor: &Actor, unread: i64, now: i64) -> RoomView {
    let muted = r.extra.muted_until.filter(|u| *u > now);
    let held =
        held_in_quiet_hours(&actor.token, facts) && super::quiet_end(actor, &r, now).is_some();
    RoomView {
        id: r.id,
        name: r.name,
        kind: facts.kind.as_str(),
        unread,
        locked: r.locked,
        announce: r.announce,
        last_seq: r.last_seq,
        may_write: check(
            &actor.token,
            PostMessage {
                room: *facts,
                muted: muted.is_some(),
            },
        )
        .is_ok(),
        moderator: facts.moderator,
        muted_until: muted.map(from_us),
        silenced: r.extra.silenced,
        quiet: r
            .extra
            .quiet
            .filter(|(f, t)| f != t)
            .map(|(f, t)| (hhmm(f as u32), hhmm(t as u32))),
        held,
        retention_days: r.extra.retention_days,
    }
}

/// A login's principal from its stored kind and function role (as `principal_of`).
fn principal_from(kind: &str, role: Option<&str>) -> Result<Principal, DomainError> {
    let corrupt = || DomainError::Internal(format!("unknown login kind {kind}"));
    if kind == "function" {
        role.and_then(FunctionRole::parse)
            .map(Principal::Function)
            .ok_or_else(corrupt)
    } else {
        AccountType::parse(kind)
            .map(Principal::Person)
            .ok_or_else(corrupt)
    }
}

/// The pair key of a direct room: both ids, sorted.
fn direct_key(a: UserId, b: UserId) -> String {
    let (x, y) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    format!("{}:{}", x.0.simple(), y.0.simple())
}

impl Platform {
    /// The room with the caller's place in it; `NotFound` when it may not see it.
    pub(crate) async fn chat_facts(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
        room: RoomId,
    ) -> Result<(RoomRow, RoomFacts), DomainError> {
        let instance = actor.token.instance();
        let me = actor.token.user();
        let r = store::find_for(c, instance, room, me)
            .await?
            .ok_or(DomainError::NotFound)?;
        let (member, opener) = store::place(c, instance, room, me).await?;
        let kind = kind_of(&r)?;
        let moderator = moderates(actor.token.principal(), kind, member, opener);
        let peer = if kind == RoomKind::Direct {
            match store::direct_peer(c, instance, room, me).await? {
                Some((id, _, shares)) => self.peer_of(c, actor, id, Some(shares)).await?,
                None => None,
            }
        } else {
            None
        };
        let facts = RoomFacts {
            instance,
            kind,
            member,
            moderator,
            locked: r.locked,
            announce: r.announce,
            peer,
        };
        check(&actor.token, SeeRoom(facts))?;
        Ok((r, facts))
    }

    /// Another login of the caller's school as the policy sees it.
    async fn peer_of(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
        id: UserId,
        shares: Option<bool>,
    ) -> Result<Option<Peer>, DomainError> {
        let instance = actor.token.instance();
        let Some(u) = users::get(c, instance, id).await? else {
            return Ok(None);
        };
        let shares_group = match shares {
            Some(s) => s,
            None => store::share_group(c, instance, actor.token.user(), id).await?,
        };
        Ok(Some(Peer {
            instance,
            principal: principal_of(&u)?,
            shares_group,
        }))
    }

    /// The caller's rooms with their unread counts. Rooms of the caller's groups that do
    /// not exist yet are made first.
    pub async fn chat_rooms(&self, actor: &Actor) -> Result<Vec<RoomView>, DomainError> {
        let instance = actor.token.instance();
        let me = actor.token.user();
        let mut tx = self.db.begin().await?;
        for (group, name) in store::groups_without_room(&mut tx, instance, me).await? {
            let new = NewRoom {
                id: RoomId::new(),
                kind: "group",
                name: &name,
                group: Some(group),
                direct_key: None,
                created_by: None,
            };
            store::insert(&mut tx, instance, &new, to_us(self.now())).await?;
        }
        let now = to_us(self.now());
        let listed = store::list_for(&mut tx, instance, me, now).await?;
        let mut out = Vec::with_capacity(listed.len());
        for l in listed {
            let kind = kind_of(&l.room)?;
            // The peer came with the list: no statement per direct room.
            let peer = match (&l.peer, kind) {
                (Some((_, k, role, shares)), RoomKind::Direct) => Some(Peer {
                    instance,
                    principal: principal_from(k, role.as_deref())?,
                    shares_group: *shares,
                }),
                _ => None,
            };
            let facts = RoomFacts {
                instance,
                kind,
                member: true,
                moderator: moderates(
                    actor.token.principal(),
                    kind,
                    true,
                    l.room.created_by == Some(me),
                ),
                locked: l.room.locked,
                announce: l.room.announce,
                peer,
            };
            if check(&actor.token, SeeRoom(facts)).is_ok() {
                out.push(view(l.room, &facts, actor, l.unread, now));
            }
        }
        tx.commit().await?;
        out.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        Ok(out)
    }

    /// One room of the caller.
    pub async fn chat_room(&self, actor: &Actor, room: RoomId) -> Result<RoomView, DomainError> {
        let mut c = self.db.read().await?;
        let (r, facts) = self.chat_facts(&mut c, actor, room).await?;
        let now = to_us(self.now());
        let unread = schulhof_store::chat::messages::unread(
            &mut c,
            actor.token.instance(),
            room,
            actor.token.user(),
            now,
        )
        .await?;
        Ok(view(r, &facts, actor, unread, now))
    }

    /// Whether the caller belongs to a room (a live socket's filter; no error detail).
    pub async fn chat_is_member(&self, actor: &Actor, room: RoomId) -> Result<bool, DomainError> {
        let mut c = self.db.read().await?;
        Ok(self.chat_facts(&mut c, actor, room).await.is_ok())
    }

    /// The direct chat with `login`, opened if new.
    pub async fn chat_open_direct(
        &self,
        actor: &Actor,
        login: &str,
    ) -> Result<RoomId, DomainError> {
        let instance = actor.token.instance();
        let me = actor.token.user();
        let mut tx = self.db.begin().await?;
        let target = users::find_by_login(&mut tx, instance, &login.trim().to_lowercase())
            .await?
            .ok_or(DomainError::NotFound)?;
        if target.id == me || !target.active {
            return Err(DomainError::NotFound);
        }
        let peer = self
            .peer_of(&mut tx, actor, target.id, None)
            .await?
            .ok_or(DomainError::NotFound)?;
        check(&actor.token, StartDirect(peer))?;
        let key = direct_key(me, target.id);
        if let Some(id) = store::find_direct(&mut tx, instance, &key).await? {
            return Ok(id);
        }
        let now = to_us(self.now());
        let new = NewRoom {
            id: RoomId::new(),
            kind: "direct",
            name: "",
            group: None,
            direct_key: Some(&key),
            created_by: Some(me),
        };
        store::insert(&mut tx, instance, &new, now).await?;
        let id = store::find_direct(&mut tx, instance, &key)
            .await?
            .ok_or(DomainError::NotFound)?;
        store::add_member(&mut tx, instance, id, me, now).await?;
        store::add_member(&mut tx, instance, id, target.id, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Opens an ad-hoc room with invited logins; the caller moderates it.
    pub async fn chat_create_room(
        &self,
        actor: &Actor,
        name: &str,
        logins: &[String],
    ) -> Result<RoomId, DomainError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control)
        {
            return Err(DomainError::invalid(
                "name",
                "Der Name fehlt oder ist zu lang.",
            ));
        }
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let mut invited = Vec::new();
        let mut peers = Vec::new();
        for l in logins {
            let u = users::find_by_login(&mut tx, instance, &l.trim().to_lowercase())
                .await?
                .ok_or_else(|| DomainError::invalid("logins", format!("Unbekannt: {l}")))?;
            if u.id != actor.token.user() {
                peers.extend(self.peer_of(&mut tx, actor, u.id, None).await?);
                invited.push(u.id);
            }
        }
        check(&actor.token, CreateRoom(peers))?;
        let now = to_us(self.now());
        let new = NewRoom {
            id: RoomId::new(),
            kind: "adhoc",
            name,
            group: None,
            direct_key: None,
            created_by: Some(actor.token.user()),
        };
        store::insert(&mut tx, instance, &new, now).await?;
        store::add_member(&mut tx, instance, new.id, actor.token.user(), now).await?;
        for u in invited {
            store::add_member(&mut tx, instance, new.id, u, now).await?;
        }
        tx.commit().await?;
        Ok(new.id)
    }
}
