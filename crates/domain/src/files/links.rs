//! Links for people outside the school: read-only or upload-only, optionally with a password
//! and an expiry. The owner and the school's admin list and revoke them. A link acts with
//! its creator's rights at the moment it is used, so it never opens more than the creator
//! could still see, and nothing once the creator has lost access.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use schulhof_authz::files::{FileOp, FileRole};
use schulhof_store::file_links::{self as store, LinkRow};
use schulhof_store::users;
use schulhof_types::FunctionRole;
use schulhof_types::NodeId;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::locate::locate_in;
use super::trash::log_file_action;
use super::{FileEntry, Located};
use crate::identity::Actor;
use crate::throttle;
use crate::{DomainError, Platform};

/// What a link lets a visitor do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkMode {
    /// Look and download.
    Read,
    /// Put files into a folder without seeing what is in it.
    Upload,
}

impl LinkMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkMode::Read => "read",
            LinkMode::Upload => "upload",
        }
    }

    pub fn parse(s: &str) -> Option<LinkMode> {
        match s {
            "read" => Some(LinkMode::Read),
            "upload" => Some(LinkMode::Upload),
            _ => None,
        }
    }
}

/// A new link's settings.
#[derive(Clone, Debug)]
pub struct NewLink {
    pub mode: LinkMode,
    pub password: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A link as its owner and the admin see it. The token is shown once, at creation.
#[derive(Clone, Debug, Serialize)]
pub struct LinkView {
    pub id: Uuid,
    pub node: NodeId,
    pub name: String,
    pub mode: LinkMode,
    pub has_password: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Login of the creator.
    pub created_by: Option<String>,
}

/// A created link with its secret, to put into the URL `/l/<token>`.
#[derive(Clone, Debug, Serialize)]
pub struct CreatedLink {
    pub link: LinkView,
    pub token: String,
}

/// What a visitor opened: the link and, acting for its creator, the node.
pub struct OpenLink {
    pub id: Uuid,
    pub mode: LinkMode,
    /// The creator, as the services see them: every file operation goes through the policy
    /// with this actor.
    pub actor: Actor,
    pub node: Located,
    pub entry: FileEntry,
    pub unlock_key: String,
}

fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn random_token() -> String {
    let mut raw = [0u8; 24];
    rand::rng().fill_bytes(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// Why a link cannot be opened (all look alike to the visitor, except the password).
#[derive(Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    /// Unknown, revoked, expired, or its creator lost access: "not found".
    Gone,
    /// The link has a password and none (or a wrong one) was given.
    PasswordNeeded { wrong: bool },
    /// Too many wrong passwords: try again after this many seconds.
    Throttled { retry_after_secs: u64 },
}

impl Platform {
    /// Creates a link to a node: contributors with the right to share in the area.
    pub async fn link_create(
        &self,
        actor: &Actor,
        node: &Located,
        new: NewLink,
    ) -> Result<CreatedLink, DomainError> {
        if node.area.is_safe() {
            // No share links out of the Safe, ever.
            return Err(DomainError::Forbidden);
        }
        node.check(
            actor,
            FileOp::Share {
                role: FileRole::Viewer,
                target: None,
            },
        )?;
        if new.mode == LinkMode::Upload && !node.node().is_dir {
            return Err(DomainError::invalid(
                "mode",
                "Hochladen geht nur in einen Ordner.",
            ));
        }
        let now = self.now();
        if new.expires_at.is_some_and(|t| t <= now) {
            return Err(DomainError::invalid(
                "expires_at",
                "Das Ablaufdatum liegt in der Vergangenheit.",
            ));
        }
        let password_hash = match new
            .password
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) if p.chars().count() < 6 => {
                return Err(DomainError::invalid(
                    "password",
                    "Das Passwort braucht mindestens 6 Zeichen.",
                ));
            }
            Some(p) => Some(self.hasher.hash(p).await?),
            None => None,
        };
        let token = random_token();
        let row = LinkRow {
            instance_id: actor.token.instance(),
            id: Uuid::now_v7(),
            node_id: node.node().id,
            mode: new.mode.as_str().into(),
            password_hash,
            unlock_key: random_token(),
            expires_at: new.expires_at,
            created_by: actor.token.user(),
            created_at: now,
            node_name: node.node().name.clone(),
        };
        let mut tx = self.db.begin().await?;
        store::insert(&mut tx, &row, &hash_token(&token)).await?;
        log_file_action(
            &mut tx,
            actor,
            now,
            "link_create",
            row.node_id,
            &format!("{} {}", row.node_name, new.mode.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedLink {
            link: view(&row, Some(actor.user.login.clone())),
            token,
        })
    }

    /// Links: of a node (its contributors see them), or all of one's own; the admin sees
    /// every link of the school.
    pub async fn link_list(
        &self,
        actor: &Actor,
        node: Option<&Located>,
    ) -> Result<Vec<LinkView>, DomainError> {
        let instance = actor.token.instance();
        let is_admin = actor.token.principal().is(FunctionRole::Admin);
        let creator = match node {
            Some(n) => {
                n.check(actor, FileOp::Write)?;
                None
            }
            None if is_admin => None,
            None => Some(actor.token.user()),
        };
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, instance, creator, node.map(|n| n.node().id)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let login = users::get(&mut c, instance, r.created_by)
                .await?
                .map(|u| u.login);
            out.push(view(&r, login));
        }
        Ok(out)
    }

    /// Revokes a link: its creator, a coordinator of the node, or the admin.
    pub async fn link_revoke(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let link = store::get(&mut tx, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let allowed = link.created_by == actor.token.user()
            || actor.token.principal().is(FunctionRole::Admin)
            || locate_in(&mut tx, actor, link.node_id)
                .await
                .is_ok_and(|n| n.check(actor, FileOp::ManageRights).is_ok());
        if !allowed {
            return Err(DomainError::NotFound);
        }
        store::delete(&mut tx, instance, id).await?;
        log_file_action(
            &mut tx,
            actor,
            self.now(),
            "link_revoke",
            link.node_id,
            &link.node_name,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a link for a visitor. `password` is the one typed in, `unlock` what the
    /// browser kept from an earlier correct password. Wrong passwords are throttled per link.
    pub async fn link_open(
        &self,
        token: &str,
        password: Option<&str>,
        unlock: Option<&str>,
        client_addr: &str,
    ) -> Result<OpenLink, LinkRefusal> {
        self.link_open_inner(token, password, unlock, client_addr)
            .await
            .unwrap_or_else(|e| match e {
                DomainError::Throttled { retry_after_secs } => {
                    Err(LinkRefusal::Throttled { retry_after_secs })
                }
                e => {
                    tracing::warn!(error = %e, "share link refused");
                    Err(LinkRefusal::Gone)
                }
            })
    }

    async fn link_open_inner(
        &self,
        token: &str,
        password: Option<&str>,
        unlock: Option<&str>,
        client_addr: &str,
    ) -> Result<Result<OpenLink, LinkRefusal>, DomainError> {
        let now = self.now();
        let mut c = self.db.read().await?;
        let Some(link) = store::system_by_token(&mut c, &hash_token(token)).await? else {
            return Ok(Err(LinkRefusal::Gone));
        };
        if link.expires_at.is_some_and(|t| t <= now) {
            return Ok(Err(LinkRefusal::Gone));
        }
        if let Some(hash) = &link.password_hash {
            let unlocked = unlock.is_some_and(|u| u == link.unlock_key);
            if !unlocked {
                let Some(pw) = password else {
                    return Ok(Err(LinkRefusal::PasswordNeeded { wrong: false }));
                };
                let guess = throttle::Guess {
                    instance: link.instance_id,
                    subject: format!("link:{}", link.id),
                    address: client_addr,
                    known_address: false,
                };
                let verify = async || self.hasher.verify(pw, Some(hash)).await;
                // No connection held while waiting for the counters and the hash: parallel
                // guesses would take the whole pool and wait for each other.
                drop(c);
                if !throttle::checked(&self.db, &guess, now, verify).await? {
                    return Ok(Err(LinkRefusal::PasswordNeeded { wrong: true }));
                }
                c = self.db.read().await?;
            }
        }
        let Some(actor) = self
            .system_actor_for(&mut c, link.instance_id, link.created_by)
            .await?
        else {
            return Ok(Err(LinkRefusal::Gone));
        };
        let Ok(node) = locate_in(&mut c, &actor, link.node_id).await else {
            return Ok(Err(LinkRefusal::Gone));
        };
        let mode = LinkMode::parse(&link.mode).unwrap_or(LinkMode::Read);
        let needed = match mode {
            LinkMode::Read => FileOp::Read,
            LinkMode::Upload => FileOp::Write,
        };
        // The creator must still be allowed to share it (and to upload, for an upload link).
        if node.check(&actor, needed).is_err()
            || node
                .check(
                    &actor,
                    FileOp::Share {
                        role: FileRole::Viewer,
                        target: None,
                    },
                )
                .is_err()
        {
            return Ok(Err(LinkRefusal::Gone));
        }
        let Some(entry) = node.entry(&actor) else {
            return Ok(Err(LinkRefusal::Gone));
        };
        Ok(Ok(OpenLink {
            id: link.id,
            mode,
            actor,
            node,
            entry,
            unlock_key: link.unlock_key,
        }))
    }

    /// A node inside a read link's folder (for browsing subfolders), as the link's creator.
    pub async fn link_locate(&self, open: &OpenLink, id: NodeId) -> Result<Located, DomainError> {
        if open.mode != LinkMode::Read {
            return Err(DomainError::NotFound);
        }
        let node = self.locate(&open.actor, id).await?;
        // A link never passes on what another school shared with its creator.
        if node.is_guest() || !node.rows.iter().any(|r| r.id == open.node.node().id) {
            return Err(DomainError::NotFound);
        }
        Ok(node)
    }

    /// Removes expired links of every school.
    pub async fn system_expire_links(&self) -> Result<u64, DomainError> {
        let mut tx = self.db.begin().await?;
        let n = store::system_delete_expired(&mut tx, self.now()).await?;
        tx.commit().await?;
        Ok(n)
    }
}

fn view(r: &LinkRow, created_by: Option<String>) -> LinkView {
    LinkView {
        id: r.id,
        node: r.node_id,
        name: r.node_name.clone(),
        mode: LinkMode::parse(&r.mode).unwrap_or(LinkMode::Read),
        has_password: r.password_hash.is_some(),
        expires_at: r.expires_at,
        created_at: r.created_at,
        created_by,
    }
}
