//! What WebDAV reports about a folder or file.

use std::time::SystemTime;

use dav_server::fs::{DavDirEntry, DavMetaData, FsFuture, FsResult};
use schulhof_domain::files::FileEntry;

#[derive(Clone, Debug)]
pub struct Meta {
    pub len: u64,
    pub modified: SystemTime,
    pub is_dir: bool,
    pub etag: Option<String>,
}

impl Meta {
    pub fn of(e: &FileEntry) -> Meta {
        Meta {
            len: e.size,
            modified: e.modified_at.into(),
            is_dir: e.is_dir,
            etag: Some(e.etag.clone()),
        }
    }

    /// The virtual top collection listing the areas.
    pub fn top() -> Meta {
        Meta {
            len: 0,
            modified: SystemTime::UNIX_EPOCH,
            is_dir: true,
            etag: None,
        }
    }
}

impl DavMetaData for Meta {
    fn len(&self) -> u64 {
        self.len
    }
    fn modified(&self) -> FsResult<SystemTime> {
        Ok(self.modified)
    }
    fn is_dir(&self) -> bool {
        self.is_dir
    }
    fn etag(&self) -> Option<String> {
        self.etag.clone()
    }
}

pub struct Entry {
    pub name: Vec<u8>,
    pub meta: Meta,
}

impl DavDirEntry for Entry {
    fn name(&self) -> Vec<u8> {
        self.name.clone()
    }
    fn metadata(&'_ self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let m: Box<dyn DavMetaData> = Box::new(self.meta.clone());
        Box::pin(async move { Ok(m) })
    }
}
