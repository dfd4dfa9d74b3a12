//! Executes a plan inside the caller's transaction: bulk statements, progress after each.

use chrono::{DateTime, Utc};
use schulhof_import::ImportData;
use schulhof_import::protocol::ProtocolRow;
use schulhof_store::imports::{self, Imported, NewGroup, PersonUpdate};
use schulhof_store::users::UserRow;
use schulhof_store::{Tx, lifecycle};
use schulhof_types::InstanceId;

use super::ImportProgress;
use super::plan::{Plan, PlannedPerson, external_mail};
use crate::DomainError;
use crate::passwords::{generate_initial_password, hash_initial};

/// Rows written per statement, and so per progress step.
const STEP: usize = 400;

/// Applies `plan` for `data`; returns one protocol row per person of the file.
pub(crate) async fn apply(
    tx: &mut Tx,
    instance: InstanceId,
    data: &ImportData,
    plan: &Plan,
    school_year: Option<&str>,
    progress: &ImportProgress,
    now: DateTime<Utc>,
) -> Result<Vec<ProtocolRow>, DomainError> {
    let total = plan.create.len()
        + plan.update.len()
        + plan.mark.len()
        + plan.unmark.len()
        + plan.add.len()
        + plan.remove.len()
        + plan.new_groups.len();
    progress.start(total as u64);
    write_groups(tx, instance, data, plan, school_year, progress, now).await?;
    progress.phase("persons");
    let mut protocol = Vec::with_capacity(data.persons.len());
    for chunk in plan.create.chunks(STEP) {
        let mut rows = Vec::with_capacity(chunk.len());
        for p in chunk {
            let password = generate_initial_password();
            rows.push(new_row(instance, data, p, hash_initial(&password), now));
            protocol.push(row(p, Some(password), "created", String::new()));
        }
        imports::insert_persons(tx, &rows, now).await?;
        progress.advance(chunk.len() as u64);
    }
    for chunk in plan.update.chunks(STEP) {
        let rows: Vec<_> = chunk.iter().map(|p| update_of(data, p)).collect();
        imports::update_persons(tx, instance, &rows, now).await?;
        for p in chunk {
            let what: Vec<&str> = p.changes.iter().map(|c| c.field).collect();
            protocol.push(row(p, None, "updated", what.join(", ")));
        }
        progress.advance(chunk.len() as u64);
    }
    progress.phase("consents");
    for p in plan.create.iter().chain(&plan.update) {
        if let Some((audio, video)) = p.av_consent {
            let consent = crate::conference::AvConsent { audio, video };
            crate::conference::import_av_consent(&mut *tx, instance, p.id, consent, now).await?;
        }
    }
    protocol.extend(
        plan.unchanged
            .iter()
            .map(|p| row(p, None, "unchanged", String::new())),
    );
    progress.phase("deletion marks");
    let marks: Vec<_> = plan.mark.iter().map(|m| m.0).collect();
    imports::set_marked(tx, instance, &marks, Some(now), now).await?;
    imports::set_marked(tx, instance, &plan.unmark, None, now).await?;
    progress.advance((marks.len() + plan.unmark.len()) as u64);
    for (_, login, name) in &plan.mark {
        protocol.push(ProtocolRow {
            login: login.clone(),
            last_name: name.clone(),
            status: "marked_for_deletion".into(),
            ..ProtocolRow::default()
        });
    }
    progress.phase("memberships");
    for chunk in plan.remove.chunks(STEP) {
        imports::delete_memberships(tx, instance, chunk).await?;
        progress.advance(chunk.len() as u64);
    }
    for chunk in plan.add.chunks(STEP * 2) {
        imports::insert_memberships(tx, instance, chunk, now).await?;
        progress.advance(chunk.len() as u64);
    }
    if let Some(year) = school_year {
        let (current, _) = lifecycle::settings(tx, instance).await?;
        if current.is_none() {
            lifecycle::set_school_year(tx, instance, year).await?;
        }
    }
    // The courses of the new classes and course groups, if the school makes them without
    // a click (in the year the groups were made for).
    crate::lms::auto_courses::create_in(tx, instance, school_year, now).await?;
    progress.phase("done");
    Ok(protocol)
}

async fn write_groups(
    tx: &mut Tx,
    instance: InstanceId,
    data: &ImportData,
    plan: &Plan,
    school_year: Option<&str>,
    progress: &ImportProgress,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    progress.phase("groups");
    let new: Vec<NewGroup> = plan
        .new_groups
        .iter()
        .filter(|g| !g.skipped)
        .map(|g| NewGroup {
            id: g.id,
            name: g.name.clone(),
            kind: g.kind.clone(),
            source: data.source.as_str().into(),
            source_id: g.source_id.clone(),
            school_year: school_year.map(str::to_owned),
        })
        .collect();
    imports::insert_groups(tx, instance, &new, now).await?;
    for g in plan
        .existing_groups
        .iter()
        .filter(|g| g.renamed_from.is_some())
    {
        imports::rename_group(tx, instance, g.id, &g.name).await?;
    }
    progress.advance(plan.new_groups.len() as u64);
    Ok(())
}

fn new_row(
    instance: InstanceId,
    data: &ImportData,
    p: &PlannedPerson,
    hash: String,
    now: DateTime<Utc>,
) -> (UserRow, Imported) {
    let src = &data.persons[p.index];
    (
        UserRow {
            instance_id: instance,
            id: p.id,
            login: p.login.clone(),
            kind: p.account_type.as_str().into(),
            function_role: None,
            holder_id: None,
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            mail: p.mail.clone(),
            external_mail: external_mail(src),
            password_hash: Some(hash),
            must_change_password: true,
            active: true,
            created_at: now,
        },
        Imported {
            source: data.source.as_str().into(),
            source_id: p.source_id.clone(),
            birthday: src.birthday.map(|d| d.format("%Y-%m-%d").to_string()),
            class_label: src.class.clone(),
        },
    )
}

fn update_of(data: &ImportData, p: &PlannedPerson) -> PersonUpdate {
    let src = &data.persons[p.index];
    PersonUpdate {
        id: p.id,
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        birthday: src.birthday.map(|d| d.format("%Y-%m-%d").to_string()),
        class_label: src.class.clone(),
        search_text: format!("{} {} {} {}", p.login, p.first_name, p.last_name, p.mail)
            .to_lowercase(),
    }
}

fn row(p: &PlannedPerson, password: Option<String>, status: &str, message: String) -> ProtocolRow {
    ProtocolRow {
        quell_id: p.source_id.clone(),
        login: p.login.clone(),
        mail: p.mail.clone(),
        initial_password: password,
        last_name: p.last_name.clone(),
        first_name: p.first_name.clone(),
        account_type: p.account_type.as_str().into(),
        class: p.class.clone().unwrap_or_default(),
        status: status.into(),
        message,
    }
}
