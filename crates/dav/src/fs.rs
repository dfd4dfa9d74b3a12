//! The file manager as a WebDAV file system. Each call resolves the path for the caller and
//! hands over to the domain services, which ask the policy; nothing is decided here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use dav_server::davpath::DavPath;
use dav_server::fs::{
    DavDirEntry, DavFile, DavFileSystem, DavMetaData, DavProp, FsError, FsFuture, FsStream,
    OpenOptions, ReadDirMeta,
};
use futures_util::stream;
use schulhof_authz::files::Area;
use schulhof_domain::files::{DeadProp, Located, Placement, fold_name};
use schulhof_domain::identity::Actor;
use schulhof_domain::{DomainError, Platform};

use crate::file::{ReadFile, WriteFile};
use crate::meta::{Entry, Meta};

pub const OWN_SLUG: &str = "eigene-dateien";

/// The collection name of an area under `/dav/files/`.
pub fn area_slug(area: Area) -> &'static str {
    match area {
        Area::Own => OWN_SLUG,
        Area::Info => "informationen",
        Area::Teaching => "unterricht",
        Area::Staff => "lehrerbereich",
        // The Safe is never served over WebDAV: no collection name leads there.
        Area::SafeOwn | Area::SafeCommon => "",
    }
}

fn area_of_slug(s: &str) -> Option<Area> {
    Area::FILES.into_iter().find(|a| area_slug(*a) == s)
}

/// Domain answers as file system errors (and so as DAV status codes).
pub fn fs_error(e: &DomainError) -> FsError {
    match e {
        DomainError::NotFound => FsError::NotFound,
        DomainError::Forbidden | DomainError::Denied(_) | DomainError::Invalid { .. } => {
            FsError::Forbidden
        }
        DomainError::Conflict { .. } => FsError::Exists,
        DomainError::QuotaExceeded(_) => FsError::InsufficientStorage,
        other => {
            tracing::error!(error = %other, "webdav request failed");
            FsError::GeneralFailure
        }
    }
}

/// A path below `/dav/files/`: the top listing, or an area and names in it.
enum Target {
    Top,
    In(Area, Vec<String>),
}

fn target(path: &DavPath) -> Result<Target, FsError> {
    let raw = path.as_bytes();
    let text = std::str::from_utf8(raw).map_err(|_| FsError::NotFound)?;
    let mut parts = text.split('/').filter(|s| !s.is_empty());
    let Some(slug) = parts.next() else {
        return Ok(Target::Top);
    };
    let area = area_of_slug(slug).ok_or(FsError::NotFound)?;
    Ok(Target::In(area, parts.map(str::to_owned).collect()))
}

/// Used and total bytes, as WebDAV reports them.
type Quota = (u64, Option<u64>);

#[derive(Clone)]
pub struct SchulFs {
    platform: Platform,
    actor: Arc<Actor>,
    /// Dead properties of the entries the last listing returned, by path: a PROPFIND of a
    /// folder asks for each entry's properties, and one query answers them all. The file
    /// system lives for one request only.
    listed_props: Arc<Mutex<HashMap<String, Vec<DeadProp>>>>,
    /// Used and total space, asked for per entry by some clients: computed once.
    quota: Arc<Mutex<Option<Quota>>>,
}

impl SchulFs {
    pub fn new(platform: Platform, actor: Arc<Actor>) -> Self {
        Self {
            platform,
            actor,
            listed_props: Arc::default(),
            quota: Arc::default(),
        }
    }

    fn cached_props(&self, path: &DavPath) -> Option<Vec<DeadProp>> {
        let key = cache_key(path);
        self.listed_props.lock().ok()?.get(&key).cloned()
    }

    async fn locate(&self, area: Area, names: &[String]) -> Result<Located, FsError> {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.platform
            .locate_path(&self.actor, area, &names)
            .await
            .map_err(|e| fs_error(&e))
    }

    async fn locate_path(&self, path: &DavPath) -> Result<Located, FsError> {
        match target(path)? {
            Target::Top => Err(FsError::Forbidden),
            Target::In(area, names) => self.locate(area, &names).await,
        }
    }

    /// The folder a new entry at `path` goes into, and its name. Missing folder: 409.
    async fn parent_of(&self, path: &DavPath) -> Result<(Located, String), FsError> {
        let Target::In(area, mut names) = target(path)? else {
            return Err(FsError::Forbidden);
        };
        let Some(name) = names.pop() else {
            return Err(FsError::Forbidden);
        };
        let folder = self.locate(area, &names).await.map_err(|e| match e {
            FsError::NotFound => FsError::NotFound,
            e => e,
        })?;
        Ok((folder, name))
    }

    fn err(&self, e: DomainError) -> FsError {
        fs_error(&e)
    }
}

impl DavFileSystem for SchulFs {
    fn open<'a>(
        &'a self,
        path: &'a DavPath,
        options: OpenOptions,
    ) -> FsFuture<'a, Box<dyn DavFile>> {
        Box::pin(async move {
            if options.write {
                let (folder, name) = self.parent_of(path).await?;
                if options.create_new && self.locate_path(path).await.is_ok() {
                    return Err(FsError::Exists);
                }
                let mime = None;
                let upload = self
                    .platform
                    .begin_upload(
                        &self.actor,
                        Placement {
                            folder: &folder,
                            name: &name,
                        },
                        mime,
                    )
                    .await
                    .map_err(|e| self.err(e))?;
                let f: Box<dyn DavFile> = Box::new(WriteFile {
                    platform: self.platform.clone(),
                    actor: self.actor.clone(),
                    upload: std::sync::Mutex::new(Some(upload)),
                    meta: Meta {
                        len: 0,
                        modified: std::time::SystemTime::now(),
                        is_dir: false,
                        etag: None,
                    },
                });
                return Ok(f);
            }
            let node = self.locate_path(path).await?;
            let entry = node.entry(&self.actor).ok_or(FsError::NotFound)?;
            if entry.is_dir {
                return Err(FsError::Forbidden);
            }
            let file = self
                .platform
                .file_open(&self.actor, &node)
                .await
                .map_err(|e| self.err(e))?;
            let f: Box<dyn DavFile> = Box::new(ReadFile {
                file: std::sync::Mutex::new(file),
                meta: Meta::of(&entry),
            });
            Ok(f)
        })
    }

    fn read_dir<'a>(
        &'a self,
        path: &'a DavPath,
        _meta: ReadDirMeta,
    ) -> FsFuture<'a, FsStream<Box<dyn DavDirEntry>>> {
        Box::pin(async move {
            let entries = match target(path)? {
                Target::Top => {
                    let areas = self
                        .platform
                        .file_areas(&self.actor)
                        .await
                        .map_err(|e| self.err(e))?;
                    areas
                        .iter()
                        .map(|e| Entry {
                            name: area_slug(e.area_value).as_bytes().to_vec(),
                            meta: Meta::of(e),
                        })
                        .collect::<Vec<_>>()
                }
                Target::In(area, names) => {
                    let folder = self.locate(area, &names).await?;
                    let list = self
                        .platform
                        .file_list(&self.actor, &folder)
                        .await
                        .map_err(|e| self.err(e))?;
                    let mut props = self
                        .platform
                        .file_children_props(&self.actor, &folder)
                        .await
                        .map_err(|e| self.err(e))?;
                    if let Ok(mut cache) = self.listed_props.lock() {
                        let base = cache_key(path);
                        for e in &list {
                            let key = format!("{base}/{}", fold_name(&e.name));
                            cache.insert(key, props.remove(&e.id).unwrap_or_default());
                        }
                    }
                    list.iter()
                        .map(|e| Entry {
                            name: e.name.as_bytes().to_vec(),
                            meta: Meta::of(e),
                        })
                        .collect()
                }
            };
            let s: FsStream<Box<dyn DavDirEntry>> = Box::pin(stream::iter(
                entries
                    .into_iter()
                    .map(|e| Ok(Box::new(e) as Box<dyn DavDirEntry>)),
            ));
            Ok(s)
        })
    }

    fn metadata<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, Box<dyn DavMetaData>> {
        Box::pin(async move {
            let m = match target(path)? {
                Target::Top => Meta::top(),
                Target::In(area, names) => {
                    let node = self.locate(area, &names).await?;
                    Meta::of(&node.entry(&self.actor).ok_or(FsError::NotFound)?)
                }
            };
            Ok(Box::new(m) as Box<dyn DavMetaData>)
        })
    }

    fn create_dir<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        Box::pin(async move {
            let (folder, name) = self.parent_of(path).await?;
            self.platform
                .file_mkdir(
                    &self.actor,
                    Placement {
                        folder: &folder,
                        name: &name,
                    },
                )
                .await
                .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn remove_dir<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        Box::pin(async move {
            let node = self.locate_path(path).await?;
            self.platform
                .file_delete(&self.actor, &node)
                .await
                .map_err(|e| self.err(e))
        })
    }

    fn remove_file<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        self.remove_dir(path)
    }

    fn rename<'a>(&'a self, from: &'a DavPath, to: &'a DavPath) -> FsFuture<'a, ()> {
        Box::pin(async move {
            let node = self.locate_path(from).await?;
            let (folder, name) = self.parent_of(to).await.map_err(|e| match e {
                FsError::NotFound => FsError::Exists,
                e => e,
            })?;
            self.platform
                .file_move(
                    &self.actor,
                    &node,
                    Placement {
                        folder: &folder,
                        name: &name,
                    },
                )
                .await
                .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn copy<'a>(&'a self, from: &'a DavPath, to: &'a DavPath) -> FsFuture<'a, ()> {
        Box::pin(async move {
            let node = self.locate_path(from).await?;
            if let Ok(existing) = self.locate_path(to).await {
                return self
                    .platform
                    .file_copy_content(&self.actor, &node, &existing)
                    .await
                    .map_err(|e| self.err(e));
            }
            let (folder, name) = self.parent_of(to).await?;
            self.platform
                .file_copy(
                    &self.actor,
                    &node,
                    Placement {
                        folder: &folder,
                        name: &name,
                    },
                )
                .await
                .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn have_props<'a>(
        &'a self,
        _path: &'a DavPath,
    ) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async { true })
    }

    fn patch_props<'a>(
        &'a self,
        path: &'a DavPath,
        patch: Vec<(bool, DavProp)>,
    ) -> FsFuture<'a, Vec<(StatusCode, DavProp)>> {
        Box::pin(async move {
            let node = self.locate_path(path).await?;
            let rows: Vec<(bool, DeadProp)> = patch
                .iter()
                .map(|(set, p)| {
                    (
                        *set,
                        DeadProp {
                            namespace: p.namespace.clone().unwrap_or_default(),
                            name: p.name.clone(),
                            prefix: p.prefix.clone().unwrap_or_default(),
                            xml: p.xml.clone().unwrap_or_default(),
                        },
                    )
                })
                .collect();
            let status = match self
                .platform
                .file_patch_props(&self.actor, &node, &rows)
                .await
            {
                Ok(()) => StatusCode::OK,
                Err(DomainError::Forbidden | DomainError::Denied(_)) => StatusCode::FORBIDDEN,
                Err(e) => return Err(self.err(e)),
            };
            Ok(patch
                .into_iter()
                .map(|(_, p)| (status, DavProp { xml: None, ..p }))
                .collect())
        })
    }

    fn get_props<'a>(&'a self, path: &'a DavPath, do_content: bool) -> FsFuture<'a, Vec<DavProp>> {
        Box::pin(async move {
            if matches!(target(path)?, Target::Top) {
                return Ok(Vec::new());
            }
            if let Some(props) = self.cached_props(path) {
                return Ok(props.into_iter().map(|p| to_dav(p, do_content)).collect());
            }
            let node = self.locate_path(path).await?;
            let props = self
                .platform
                .file_props(&self.actor, &node)
                .await
                .map_err(|e| self.err(e))?;
            Ok(props.into_iter().map(|p| to_dav(p, do_content)).collect())
        })
    }

    fn get_prop<'a>(&'a self, path: &'a DavPath, prop: DavProp) -> FsFuture<'a, Vec<u8>> {
        Box::pin(async move {
            let props = match self.cached_props(path) {
                Some(p) => p,
                None => {
                    let node = self.locate_path(path).await?;
                    self.platform
                        .file_props(&self.actor, &node)
                        .await
                        .map_err(|e| self.err(e))?
                }
            };
            let ns = prop.namespace.unwrap_or_default();
            props
                .into_iter()
                .find(|p| p.namespace == ns && p.name == prop.name)
                .map(|p| p.xml)
                .ok_or(FsError::NotFound)
        })
    }

    fn get_quota(&'_ self) -> FsFuture<'_, (u64, Option<u64>)> {
        Box::pin(async move {
            if let Some(q) = self.quota.lock().ok().and_then(|q| *q) {
                return Ok(q);
            }
            let u = self
                .platform
                .file_usage(&self.actor)
                .await
                .map_err(|e| self.err(e))?;
            let q = (u.used, Some(u.quota));
            if let Ok(mut cache) = self.quota.lock() {
                *cache = Some(q);
            }
            Ok(q)
        })
    }
}

fn to_dav(p: DeadProp, with_content: bool) -> DavProp {
    DavProp {
        name: p.name,
        prefix: (!p.prefix.is_empty()).then_some(p.prefix),
        namespace: (!p.namespace.is_empty()).then_some(p.namespace),
        xml: with_content.then_some(p.xml),
    }
}

/// A path as the listing cache keys it: decoded, folded as names are compared (NFC and
/// case-insensitive), without a trailing slash.
fn cache_key(path: &DavPath) -> String {
    fold_name(String::from_utf8_lossy(path.as_bytes()).trim_end_matches('/'))
}
