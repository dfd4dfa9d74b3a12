//! The tool's service access: the token endpoint's client_credentials grant with a JWT
//! client assertion (RFC 6749 §4.4, RFC 7523 §2.2, LTI Security Framework §4.1), the bearer
//! check of every service request, and Names and Role Provisioning (NRPS 2.0).

use schulhof_authz::lti as policy;
use schulhof_authz::oidc::Claim;
use schulhof_store::lti::{self as store, grades, roster};
use schulhof_store::oidc::{ClientRow, clients, school_secret};
use schulhof_store::to_us;
use schulhof_types::{AccountType, CourseId, InstanceId, UserId};
use serde_json::{Value, json};

use super::claims::course_base;
use super::jwt::{self, JwtFault};
use super::{SERVICE_TOKEN_TTL_SECS, scope};
use crate::Platform;
use crate::oidc::{OidcError, facts, hash, pairwise_subject, random_value, standing_consent};

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The token response of the client_credentials grant.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ServiceToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}

/// Why a service request is refused (RFC 6750 §3.1 names the first two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    InvalidToken,
    InsufficientScope,
    NotFound,
    Invalid(String),
    Server,
}

impl From<crate::DomainError> for ServiceError {
    fn from(e: crate::DomainError) -> Self {
        tracing::error!(error = %e, "LTI service failed");
        ServiceError::Server
    }
}

impl From<schulhof_store::StoreError> for ServiceError {
    fn from(e: schulhof_store::StoreError) -> Self {
        ServiceError::from(crate::DomainError::from(e))
    }
}

fn client_fault(f: JwtFault) -> OidcError {
    tracing::info!(fault = f.describe(), "LTI client assertion refused");
    OidcError::InvalidClient
}

/// A course as a service request reaches it: the tool, authorized by the policy.
pub(crate) struct Served {
    pub client: ClientRow,
    pub instance: InstanceId,
    pub course: CourseId,
}

impl Platform {
    /// client_credentials with a JWT assertion signed by the tool's key: a bad signature,
    /// a wrong audience, an expired or a replayed assertion (jti) are `invalid_client`.
    pub async fn lti_service_token(
        &self,
        grant_type: &str,
        assertion_type: &str,
        assertion: &str,
        requested: &str,
        token_url: &str,
        issuer: &str,
    ) -> Result<ServiceToken, OidcError> {
        if grant_type != "client_credentials" {
            return Err(OidcError::UnsupportedGrantType);
        }
        if assertion_type != ASSERTION_TYPE {
            return Err(OidcError::InvalidClient);
        }
        let unverified = jwt::unverified_claims(assertion).map_err(client_fault)?;
        let client_id = unverified["iss"].as_str().ok_or(OidcError::InvalidClient)?;
        // Before the transaction: the keys may have to be fetched from the tool.
        let keys = self.lti_tool_keys(client_id, assertion).await;
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        let (client, _) = self
            .lti_tool(&mut tx, client_id)
            .await?
            .ok_or(OidcError::InvalidClient)?;
        let claims = jwt::verify(&keys, assertion).map_err(client_fault)?;
        let exp = jwt::check_claims(&claims, client_id, &[token_url, issuer], now / 1_000_000)
            .map_err(client_fault)?;
        if claims["sub"] != client_id {
            return Err(client_fault(JwtFault::WrongIssuer));
        }
        let jti = claims["jti"].as_str().filter(|j| !j.is_empty());
        let fresh = match jti {
            Some(j) => store::use_nonce(&mut tx, client.id, j, (exp + 60) * 1_000_000).await?,
            None => false,
        };
        if !fresh {
            tracing::warn!(client = %client.client_id, "LTI client assertion replayed");
            return Err(OidcError::InvalidClient);
        }
        let granted: Vec<&str> = requested
            .split(' ')
            .filter(|s| scope::ALL.contains(s))
            .collect();
        if granted.is_empty() {
            return Err(OidcError::InvalidScope);
        }
        let token = random_value();
        let scope = granted.join(" ");
        let expires = now + SERVICE_TOKEN_TTL_SECS * 1_000_000;
        store::insert_token(&mut tx, &hash(&token), client.id, &scope, expires).await?;
        tx.commit().await?;
        Ok(ServiceToken {
            access_token: token,
            token_type: "Bearer",
            expires_in: SERVICE_TOKEN_TTL_SECS,
            scope,
        })
    }

    /// The bearer token of a service request for a course, with one of `needed` scopes; the
    /// policy decides whether the tool reaches the course at all.
    pub(crate) async fn served(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        needed: &[&str],
    ) -> Result<Served, ServiceError> {
        let mut c = self.db.read().await?;
        let now = to_us(self.now());
        let (client_ref, scopes) = store::token(&mut c, &hash(bearer), now)
            .await?
            .ok_or(ServiceError::InvalidToken)?;
        let client = clients::get(&mut c, client_ref)
            .await?
            .ok_or(ServiceError::InvalidToken)?;
        if !scopes.iter().any(|s| needed.contains(&s.as_str())) {
            return Err(ServiceError::InsufficientScope);
        }
        let (Ok(instance), Ok(course)) = (school.parse(), course.parse()) else {
            return Err(ServiceError::NotFound);
        };
        let (instance, course) = (InstanceId(instance), CourseId(course));
        let placed = grades::tool_in_course(&mut c, instance, course, &client.client_id).await?;
        policy::tool_serves_course(&facts(&client), instance, placed)
            .map_err(|_| ServiceError::NotFound)?;
        Ok(Served {
            client,
            instance,
            course,
        })
    }

    /// NRPS: the course's members with pairwise subjects and LIS roles; name only for those
    /// who agreed to share it with this tool.
    pub async fn lti_members(
        &self,
        bearer: &str,
        school: &str,
        course: &str,
        issuer: &str,
    ) -> Result<Value, ServiceError> {
        let s = self
            .served(bearer, school, course, &[scope::MEMBERSHIP])
            .await?;
        let roster = self.roster(&s).await?;
        let members: Vec<Value> = roster
            .into_iter()
            .map(|m| {
                let mut v = json!({
                    "status": "Active",
                    "user_id": m.sub,
                    "roles": policy::roles(m.role),
                });
                if m.named {
                    v["name"] = format!("{} {}", m.first, m.last).into();
                    v["given_name"] = m.first.into();
                    v["family_name"] = m.last.into();
                }
                v
            })
            .collect();
        let base = course_base(issuer, s.instance, s.course);
        Ok(json!({
            "id": format!("{base}/mitglieder"),
            "context": {"id": s.course.0.to_string()},
            "members": members,
        }))
    }
}

/// A member as the tool may know them.
pub(crate) struct RosterEntry {
    pub user: UserId,
    pub sub: String,
    pub role: schulhof_authz::lms::CourseRole,
    pub named: bool,
    pub first: String,
    pub last: String,
}

impl Platform {
    /// Editors and participants of the course: the school's secret and one statement for
    /// the whole roster, whatever its size. A name goes out under the login's rule: a
    /// consent in force, and the school's under-16 rule allowing it for that person
    /// ([`Platform::person_may_share`], [`standing_consent`]).
    pub(crate) async fn roster(&self, s: &Served) -> Result<Vec<RosterEntry>, ServiceError> {
        use schulhof_authz::lms::CourseRole;
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        let secret = school_secret(&mut tx, s.instance, random_value().as_bytes(), now).await?;
        let (school, members) = roster::roster(&mut tx, s.instance, s.course, s.client.id).await?;
        tx.commit().await?;
        let tool = facts(&s.client);
        let zone = crate::school_settings::stored_time_zone(&school.time_zone);
        Ok(members
            .into_iter()
            .map(|p| {
                let share = self.person_may_share(
                    AccountType::parse(&p.kind),
                    zone,
                    school.under16.as_deref(),
                    p.birthday.as_deref(),
                );
                // The roster asks nobody: without a consent, the pseudonym.
                let agreed =
                    standing_consent(share, p.consent.as_deref(), false).unwrap_or_default();
                let named = policy::personal_claims(&tool, &agreed).contains(&Claim::Name);
                RosterEntry {
                    user: p.id,
                    sub: pairwise_subject(&secret, &s.client.sector, p.id),
                    role: if p.editor {
                        CourseRole::Editor
                    } else {
                        CourseRole::Participant
                    },
                    named,
                    first: p.first_name,
                    last: p.last_name,
                }
            })
            .collect())
    }
}
