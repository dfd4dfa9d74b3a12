//! Material of a course: pages (sanitised rich text), links, files, folders and media
//! (audio/video, uploaded or recorded in the browser, with a transcript). Opening it records
//! the view (and completes "view" material); "manual" material is ticked by the student.

use schulhof_authz::check;
use schulhof_authz::lms::TakePart;
use schulhof_blob::BlobReader;
use schulhof_store::files::SHARED_OWNER;
use schulhof_store::lms::activities::{self, NewActivity};
use schulhof_store::lms::outline::{self, FileRow};
use schulhof_store::lms::sections;
use schulhof_store::to_us;
use schulhof_types::{ActivityId, NodeId, SectionId, UserId};
use uuid::Uuid;

use super::{ActivityCtx, MATERIAL_KINDS};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Largest file of a material.
pub const MAX_FILE: u64 = 50 * 1024 * 1024;
/// Largest recording or media file.
pub const MAX_MEDIA: u64 = 200 * 1024 * 1024;
/// Largest picture of a page.
pub const MAX_IMAGE: u64 = 10 * 1024 * 1024;

/// What a material form gives.
#[derive(Clone, Debug, Default)]
pub struct MaterialInput {
    pub kind: String,
    pub title: String,
    /// HTML of a page (sanitised here) or a description.
    pub body: String,
    pub url: Option<String>,
    pub transcript: String,
    pub hidden: bool,
    pub visible_from: Option<i64>,
    /// Only these students see it (empty: everyone of the course).
    pub only_for: Vec<UserId>,
    /// "none", "view" or "manual".
    pub completion: String,
}

/// A material as its page shows it.
#[derive(Clone, Debug)]
pub struct MaterialView {
    pub ctx: ActivityCtx,
    pub files: Vec<FileRow>,
    pub completed: bool,
    /// Editors: the persons it is restricted to.
    pub only_for: Vec<UserId>,
}

fn checked(id: ActivityId, input: &MaterialInput) -> Result<MaterialInput, DomainError> {
    if !MATERIAL_KINDS.contains(&input.kind.as_str()) {
        return Err(DomainError::invalid("kind", "Unbekannte Art von Material."));
    }
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(DomainError::invalid(
            "title",
            "Bitte einen Titel mit höchstens 200 Zeichen angeben.",
        ));
    }
    let url = match (input.kind.as_str(), input.url.as_deref().map(str::trim)) {
        ("link", Some(u)) if valid_url(u) => Some(u.to_owned()),
        ("link", _) => {
            return Err(DomainError::invalid(
                "url",
                "Bitte eine Adresse angeben, die mit https:// oder http:// beginnt.",
            ));
        }
        _ => None,
    };
    if !["none", "view", "manual"].contains(&input.completion.as_str()) {
        return Err(DomainError::invalid(
            "completion",
            "Unbekannte Abschlussregel.",
        ));
    }
    Ok(MaterialInput {
        title: title.to_owned(),
        body: super::page_text::clean_for_store(&input.body, id)?,
        url,
        transcript: input.transcript.trim().to_owned(),
        ..input.clone()
    })
}

fn valid_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() > 10
        && u.len() <= 2000
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The recording type of `bytes` by its magic bytes: WebM/Matroska, MP4 or Ogg.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
        Some("video/webm")
    } else if bytes.len() > 8 && &bytes[4..8] == b"ftyp" {
        Some("video/mp4")
    } else if bytes.starts_with(b"OggS") {
        Some("audio/ogg")
    } else if bytes.starts_with(b"ID3") || bytes.starts_with(&[0xff, 0xfb]) {
        Some("audio/mpeg")
    } else {
        None
    }
}

fn clean_file_name(name: &str) -> Result<String, DomainError> {
    let n: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let n = n.trim();
    if n.is_empty() {
        return Err(DomainError::invalid("file", "Bitte eine Datei auswählen."));
    }
    Ok(n.to_owned())
}

/// Files picked from the file areas in one go, at most.
const MAX_PICKED: usize = 50;

impl Platform {
    /// Adds material at the end of a section of a course the caller edits.
    pub async fn lms_add_material(
        &self,
        a: &Actor,
        section: SectionId,
        input: &MaterialInput,
    ) -> Result<ActivityId, DomainError> {
        let id = ActivityId::new();
        let input = checked(id, input)?;
        let (sec, ctx) = self.lms_section_for_edit(a, section).await?;
        let inst = ctx.facts.instance;
        let mut tx = self.db.begin().await?;
        activities::insert(
            &mut tx,
            inst,
            &new_activity(id, &sec, &input, to_us(self.now())),
        )
        .await?;
        outline::set_people(&mut tx, inst, id, &input.only_for).await?;
        super::notify::activity_saved(&mut tx, inst, id, true, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes material (its kind stays).
    pub async fn lms_update_material(
        &self,
        a: &Actor,
        id: ActivityId,
        input: &MaterialInput,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        let input = checked(
            id,
            &MaterialInput {
                kind: ctx.activity.kind.clone(),
                ..input.clone()
            },
        )?;
        let inst = ctx.course.instance;
        let mut tx = self.db.begin().await?;
        let sec = sections::get(&mut tx, inst, ctx.activity.section_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let n = new_activity(id, &sec, &input, to_us(self.now()));
        let n = NewActivity {
            due_at: ctx.activity.due_at,
            settings: &ctx.activity.settings,
            ..n
        };
        activities::update(&mut tx, inst, &n).await?;
        outline::set_people(&mut tx, inst, id, &input.only_for).await?;
        super::notify::activity_saved(&mut tx, inst, id, false, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an activity with its files and completion.
    pub async fn lms_delete_activity(&self, a: &Actor, id: ActivityId) -> Result<(), DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        let mut tx = self.db.begin().await?;
        activities::delete(&mut tx, ctx.course.instance, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uploads a file to material the caller edits (`role` "material" or "media"). Media
    /// must be audio or video by its bytes. Counts against the school's quota.
    pub async fn lms_add_file(
        &self,
        a: &Actor,
        id: ActivityId,
        name: &str,
        bytes: &[u8],
    ) -> Result<Uuid, DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        let name = clean_file_name(name)?;
        let size = bytes.len() as u64;
        let media = ctx.activity.kind == "media";
        let mime = if media {
            media_type(bytes).ok_or_else(|| {
                DomainError::invalid("file", "Bitte eine Audio- oder Videodatei wählen.")
            })?
        } else {
            super::page_text::image_type(bytes).unwrap_or("application/octet-stream")
        };
        if size > if media { MAX_MEDIA } else { MAX_FILE } {
            return Err(DomainError::invalid("file", "Die Datei ist zu groß."));
        }
        let blob = self
            .blobs
            .put(bytes, size)
            .await
            .map_err(crate::files::blob_error)?;
        let row = FileRow {
            id: Uuid::now_v7(),
            activity_id: id,
            role: if media { "media" } else { "material" }.into(),
            name,
            mime: mime.into(),
            size: size as i64,
            blob_sha: blob.sha256,
            node_id: None,
            position: 0,
            lang: None,
        };
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, a, SHARED_OWNER, size as i64)
            .await?;
        outline::insert_file(&mut tx, ctx.course.instance, &row, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// Adds a file from the caller's file areas by its node: the same content, no copy.
    /// Only a file the caller reads, never one of the Safe (nothing leaves the Safe).
    pub async fn lms_pick_file(
        &self,
        a: &Actor,
        id: ActivityId,
        node: NodeId,
    ) -> Result<Uuid, DomainError> {
        let ids = self.lms_pick_files(a, id, &[node]).await?;
        ids.into_iter().next().ok_or(DomainError::NotFound)
    }

    /// Adds several files of the caller's file areas at once (as [`Self::lms_pick_file`]):
    /// all or, if one cannot be picked, none.
    pub async fn lms_pick_files(
        &self,
        a: &Actor,
        id: ActivityId,
        nodes: &[NodeId],
    ) -> Result<Vec<Uuid>, DomainError> {
        if nodes.is_empty() || nodes.len() > MAX_PICKED {
            return Err(DomainError::invalid(
                "node",
                format!("Bitte 1 bis {MAX_PICKED} Dateien auswählen."),
            ));
        }
        let ctx = self.lms_activity_for_edit(a, id).await?;
        let role = if ctx.activity.kind == "media" {
            "media"
        } else {
            "material"
        };
        let mut rows = Vec::with_capacity(nodes.len());
        for node in nodes {
            let located = self.locate(a, *node).await?;
            if located.area.is_safe() || located.entry(a).is_none() {
                return Err(DomainError::NotFound);
            }
            let n = located.node();
            let sha = match (&n.blob_sha, n.is_dir, n.deleted_at, located.guest) {
                (Some(sha), false, None, None) => sha.clone(),
                _ => return Err(DomainError::NotFound),
            };
            rows.push(FileRow {
                id: Uuid::now_v7(),
                activity_id: id,
                role: role.into(),
                name: n.name.clone(),
                mime: n
                    .mime
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
                size: n.size,
                blob_sha: sha,
                node_id: Some(n.id.0),
                position: 0,
                lang: None,
            });
        }
        let mut tx = self.db.begin().await?;
        let now = to_us(self.now());
        for row in &rows {
            outline::insert_file(&mut tx, ctx.course.instance, row, now).await?;
        }
        tx.commit().await?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    /// Removes a file from material the caller edits.
    pub async fn lms_remove_file(
        &self,
        a: &Actor,
        id: ActivityId,
        file: Uuid,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        let mut tx = self.db.begin().await?;
        if !outline::delete_file(&mut tx, ctx.course.instance, id, file).await? {
            return Err(DomainError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Opens material: participants record the view (and complete "view" material) while
    /// the course is open; nobody else is tracked.
    pub async fn lms_open_material(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<MaterialView, DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        let inst = ctx.course.instance;
        let now = to_us(self.now());
        let takes_part = check(&a.token, TakePart(ctx.course)).is_ok();
        if takes_part {
            let mut tx = self.db.begin().await?;
            let completes = ctx.activity.completion == "view";
            activities::mark_viewed(&mut tx, inst, id, a.token.user(), completes, now).await?;
            tx.commit().await?;
        }
        let mut c = self.db.read().await?;
        let files = outline::files_of(&mut c, inst, id).await?;
        let only_for = if ctx.is_editor() {
            outline::people_of(&mut c, inst, id).await?
        } else {
            Vec::new()
        };
        let completed = takes_part && completed_by(&mut c, inst, id, a.token.user()).await?;
        Ok(MaterialView {
            ctx,
            files,
            completed,
            only_for,
        })
    }

    /// A student ticks (or unticks) material whose completion is "manual".
    pub async fn lms_mark_done(
        &self,
        a: &Actor,
        id: ActivityId,
        done: bool,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_activity_for_participant(a, id).await?;
        if ctx.activity.completion != "manual" {
            return Err(DomainError::invalid(
                "completion",
                "Dieses Material wird nicht abgehakt.",
            ));
        }
        let at = done.then(|| to_us(self.now()));
        let mut tx = self.db.begin().await?;
        activities::set_completed(&mut tx, ctx.course.instance, id, a.token.user(), at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The content of a file of an activity the caller may see.
    pub async fn lms_file_content(
        &self,
        a: &Actor,
        id: ActivityId,
        file: Uuid,
    ) -> Result<(FileRow, BlobReader), DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        let f = {
            let mut c = self.db.read().await?;
            outline::files_of(&mut c, ctx.course.instance, id)
                .await?
                .into_iter()
                .find(|f| f.id == file)
                .ok_or(DomainError::NotFound)?
        };
        let reader = self
            .blobs
            .open_read(&f.blob_sha)
            .await
            .map_err(crate::files::blob_error)?;
        Ok((f, reader))
    }
}

fn new_activity<'a>(
    id: ActivityId,
    sec: &schulhof_store::lms::sections::SectionRow,
    input: &'a MaterialInput,
    now: i64,
) -> NewActivity<'a> {
    NewActivity {
        id,
        course_id: sec.course_id,
        section_id: sec.id,
        kind: &input.kind,
        title: &input.title,
        body: &input.body,
        url: input.url.as_deref(),
        transcript: &input.transcript,
        hidden: input.hidden,
        visible_from: input.visible_from,
        restricted: !input.only_for.is_empty(),
        completion: &input.completion,
        due_at: None,
        settings: "{}",
        now,
    }
}

async fn completed_by(
    c: &mut schulhof_store::Handle,
    inst: schulhof_types::InstanceId,
    id: ActivityId,
    user: UserId,
) -> Result<bool, DomainError> {
    let all = outline::completion_of_activity(c, inst, id, user).await?;
    Ok(all.is_some_and(|(_, done)| done.is_some()))
}
