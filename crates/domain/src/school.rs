//! Creating schools and the demo school. These are operator actions from the command line,
//! so they bypass the policy and say so in their `system_` names.

use schulhof_store::groups::{self as group_store, GroupRow};
use schulhof_store::instances::{self, InstanceRow};
use schulhof_store::users::{self, UserRow};
use schulhof_store::{AsConn, consent};
use schulhof_types::{GroupId, InstanceId, Login, SchoolNumber, UserId};

use crate::audit::{self, Event};
use crate::passwords::{check_password_rules, generate_initial_password};
use crate::school_settings::DEFAULT_TIME_ZONE;
use crate::{DomainError, Platform};

pub const DEMO_SCHOOL: &str = "100000";
pub const DEMO_PASSWORD: &str = "schulhof-demo";

const TERMS_V1: &str = "Nutzungsbedingungen: Die Plattform dient ausschließlich schulischen Zwecken. \
Zugangsdaten sind geheim zu halten. Inhalte anderer sind zu respektieren; rechtswidrige Inhalte sind \
verboten. Verstöße können zur Sperrung des Zugangs führen.";
const PRIVACY_V1: &str = "Datenschutzhinweise: Verarbeitet werden Name, Kontodaten, Gruppen und die \
von Ihnen gespeicherten Inhalte. Protokolldaten (Anmeldezeiten, IP-Adresse) werden nach 7 Tagen \
automatisch gelöscht. Administratoren können private Inhalte nicht lesen. Eine Leistungs- oder \
Verhaltenskontrolle findet nicht statt.";

/// A demo login: (login, kind, function role, first name, last name).
const DEMO_LOGINS: &[(&str, &str, Option<&str>, &str, &str)] = &[
    ("lehrer", "lehrer", None, "Lena", "Lehmann"),
    ("personal", "personal", None, "Paul", "Hausmann"),
    ("schueler", "schueler", None, "Sophie", "Schüler"),
    ("extern", "extern", None, "Eva", "Extern"),
    (
        "admin",
        "function",
        Some("admin"),
        "Admin",
        "Demo-Gymnasium",
    ),
    (
        "schulleitung",
        "function",
        Some("schulleitung"),
        "Schulleitung",
        "Demo-Gymnasium",
    ),
    (
        "sekretariat",
        "function",
        Some("sekretariat"),
        "Sekretariat",
        "Demo-Gymnasium",
    ),
];

/// A school as the public start page shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PublicSchool {
    pub number: String,
    pub name: String,
}

/// What `instance create` reports.
pub struct CreatedSchool {
    pub id: InstanceId,
    pub admin_login: String,
}

impl Platform {
    /// Creates a school with its consent texts and an `admin` function account that has no
    /// password yet (the operator sets one with `schulhof user set-password`).
    pub async fn system_create_school(
        &self,
        number: &str,
        name: &str,
    ) -> Result<CreatedSchool, DomainError> {
        let mut tx = self.db.begin().await?;
        let created = self.create_school_in(&mut tx, number, name).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Creates a school with the state-wide defaults and its `admin` login in `tx` (for the
    /// command line and the operators' console, which audits it in the same transaction).
    pub(crate) async fn create_school_in(
        &self,
        tx: &mut schulhof_store::Tx,
        number: &str,
        name: &str,
    ) -> Result<CreatedSchool, DomainError> {
        let number = SchoolNumber::parse(number)
            .map_err(|e| DomainError::invalid("number", e.to_string()))?;
        let name = crate::admin_name(name)?;
        if instances::find_by_number(tx, number.as_str())
            .await?
            .is_some()
        {
            return Err(DomainError::conflict(
                "number",
                format!("school {number} already exists"),
            ));
        }
        let id = create_school(tx, self, &number, &name, false).await?;
        insert_login(
            tx,
            self,
            id,
            ("admin", "function", Some("admin"), "Admin", &name),
            None,
            None,
        )
        .await?;
        Ok(CreatedSchool {
            id,
            admin_login: "admin".into(),
        })
    }

    /// Seeds the demo school if it is missing. Returns whether it was created.
    pub async fn system_seed_demo(&self) -> Result<bool, DomainError> {
        let mut tx = self.db.begin().await?;
        if instances::find_by_number(&mut tx, DEMO_SCHOOL)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        let number =
            SchoolNumber::parse(DEMO_SCHOOL).map_err(|e| DomainError::Internal(e.to_string()))?;
        let id = create_school(&mut tx, self, &number, "Demo-Gymnasium", true).await?;
        let hash = self.hasher.hash(DEMO_PASSWORD).await?;
        let mut ids = std::collections::HashMap::new();
        for l in DEMO_LOGINS {
            let holder = l.2.and(ids.get("lehrer").copied());
            ids.insert(
                l.0,
                insert_login(&mut tx, self, id, *l, Some(&hash), holder).await?,
            );
        }
        let now = self.now();
        let class = GroupRow {
            instance_id: id,
            id: GroupId::new(),
            name: "5a".into(),
            kind: "klasse".into(),
            description: "Klasse 5a".into(),
        };
        group_store::insert(&mut tx, &class, now).await?;
        let staff = GroupRow {
            instance_id: id,
            id: GroupId::new(),
            name: "Kollegium".into(),
            kind: "personalgruppe".into(),
            description: "Alle Lehrkräfte und das Personal".into(),
        };
        group_store::insert(&mut tx, &staff, now).await?;
        for (group, login) in [
            (class.id, "lehrer"),
            (class.id, "schueler"),
            (staff.id, "lehrer"),
            (staff.id, "personal"),
        ] {
            if let Some(user) = ids.get(login) {
                group_store::add_member(&mut tx, id, group, *user, now).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Every school's number and name: public facts, shown before anyone logs in.
    pub async fn public_schools(&self) -> Result<Vec<PublicSchool>, DomainError> {
        let mut c = self.db.read().await?;
        // A deactivated or deleted school's logins cannot log in: the page does not offer it.
        let rows = instances::list_open(&mut c).await?;
        Ok(rows
            .into_iter()
            .map(|r| PublicSchool {
                number: r.school_number,
                name: r.name,
            })
            .collect())
    }

    /// Whether the database holds the demo school (whose passwords are public).
    pub async fn system_has_demo_school(&self) -> Result<bool, DomainError> {
        let mut c = self.db.read().await?;
        Ok(instances::list(&mut c).await?.iter().any(|i| i.demo))
    }

    /// Sets a login's password from the command line. Without `password` one is generated
    /// and returned. The login must change it at first use only if it was generated.
    pub async fn system_set_password(
        &self,
        school: &str,
        login: &str,
        password: Option<&str>,
    ) -> Result<Option<String>, DomainError> {
        let login =
            Login::parse(login).map_err(|e| DomainError::invalid("login", e.to_string()))?;
        let (generated, password) = match password {
            Some(p) => {
                check_password_rules(p, login.as_str())?;
                (None, p.to_owned())
            }
            None => {
                let p = generate_initial_password();
                (Some(p.clone()), p)
            }
        };
        let hash = self.hasher.hash(&password).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let school = instances::find_by_number(&mut tx, school.trim())
            .await?
            .ok_or_else(|| DomainError::invalid("instance", "no such school"))?;
        let user = users::find_by_login(&mut tx, school.id, login.as_str())
            .await?
            .ok_or_else(|| DomainError::invalid("login", "no such login in this school"))?;
        users::set_password(&mut tx, school.id, user.id, &hash, false, now).await?;
        crate::app_passwords::revoke_all(&mut tx, school.id, user.id).await?;
        audit::record(
            &mut tx,
            school.id,
            now,
            Event {
                kind: "admin",
                actor: None,
                holder: None,
                action: "system.set_password",
                object: Some(login.as_str()),
                client_addr: None,
                detail: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(generated)
    }

    /// Publishes a new version of the consent texts; everyone is asked again.
    pub async fn system_publish_consent(
        &self,
        school: &str,
        terms: &str,
        privacy: &str,
    ) -> Result<i64, DomainError> {
        let mut tx = self.db.begin().await?;
        let school = instances::find_by_number(&mut tx, school.trim())
            .await?
            .ok_or_else(|| DomainError::invalid("instance", "no such school"))?;
        let v = consent::publish_text(&mut tx, school.id, terms, privacy, self.now()).await?;
        tx.commit().await?;
        Ok(v)
    }
}

async fn create_school(
    c: &mut impl AsConn,
    p: &Platform,
    number: &SchoolNumber,
    name: &str,
    demo: bool,
) -> Result<InstanceId, DomainError> {
    let id = InstanceId::new();
    let now = p.now();
    // A new school takes the state-wide defaults the operators set (not the demo school).
    let defaults = match demo {
        false => crate::operators::defaults::load(c).await?,
        true => Default::default(),
    };
    let state_domain = defaults
        .mail_domain
        .as_deref()
        .unwrap_or(&p.config.state_domain);
    let row = InstanceRow {
        id,
        school_number: number.as_str().into(),
        name: name.into(),
        mail_domain: format!("{number}.{state_domain}"),
        demo,
        created_at: now,
        time_zone: DEFAULT_TIME_ZONE.into(),
    };
    instances::insert(c, &row).await?;
    let (terms, privacy) = match (&defaults.terms, &defaults.privacy) {
        (Some(t), Some(p)) => (t.as_str(), p.as_str()),
        _ => (TERMS_V1, PRIVACY_V1),
    };
    consent::publish_text(c, id, terms, privacy, now).await?;
    crate::operators::defaults::apply_quotas(c, id, &defaults).await?;
    Ok(id)
}

pub(crate) async fn insert_login(
    c: &mut impl AsConn,
    p: &Platform,
    instance: InstanceId,
    l: (&str, &str, Option<&str>, &str, &str),
    hash: Option<&str>,
    holder: Option<UserId>,
) -> Result<UserId, DomainError> {
    let domain = instances::get(c, instance)
        .await?
        .ok_or(DomainError::NotFound)?
        .mail_domain;
    let now = p.now();
    let mail = if l.1 == "function" {
        format!("{}@{domain}", l.0)
    } else {
        crate::mailaddr::allocate(c, instance, &domain, l.3, l.4)
            .await?
            .1
    };
    let row = UserRow {
        instance_id: instance,
        id: UserId::new(),
        login: l.0.into(),
        kind: l.1.into(),
        function_role: l.2.map(str::to_owned),
        holder_id: holder,
        first_name: l.3.into(),
        last_name: l.4.into(),
        mail,
        external_mail: None,
        password_hash: hash.map(str::to_owned),
        must_change_password: false,
        active: true,
        created_at: now,
    };
    users::insert(c, &row, now).await?;
    Ok(row.id)
}
