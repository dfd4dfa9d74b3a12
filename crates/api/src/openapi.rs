//! The OpenAPI 3.1 document, built from one table of endpoints. A test checks that every
//! endpoint listed here is routed, so the document cannot promise what the router lacks.

use axum::Json;
use serde_json::{Map, Value, json};

/// (method, path, summary, request body schema, success status, response schema)
type Endpoint = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    Option<&'static str>,
);

pub const ENDPOINTS: &[Endpoint] = &[
    (
        "post",
        "/api/v1/imports",
        "Upload a Schild-NRW XML/ZIP, a table or an SVWS JSON; answers with the preview",
        Some("ImportUpload"),
        201,
        Some("ImportRun"),
    ),
    (
        "get",
        "/api/v1/imports",
        "The latest import runs",
        None,
        200,
        None,
    ),
    (
        "get",
        "/api/v1/imports/{id}",
        "An import run; while it can be applied, with its current plan",
        None,
        200,
        Some("ImportRun"),
    ),
    (
        "post",
        "/api/v1/imports/{id}/apply",
        "Apply a previewed import in the background (poll the run for the outcome)",
        Some("ImportApply"),
        202,
        None,
    ),
    (
        "get",
        "/api/v1/imports/{id}/protocol",
        "The protocol with the initial passwords, as a ZIP encrypted with the protocol password",
        None,
        200,
        None,
    ),
    (
        "get",
        "/api/v1/deletion",
        "Deletion periods, persons marked for deletion and scheduled deletions",
        None,
        200,
        None,
    ),
    (
        "put",
        "/api/v1/deletion/periods",
        "Set the deletion periods (years after the end of the calendar year)",
        Some("DeletionPeriods"),
        204,
        None,
    ),
    (
        "post",
        "/api/v1/deletion/confirm",
        "Deactivate persons marked for deletion; their deletion period starts",
        Some("DeletionConfirm"),
        200,
        None,
    ),
    (
        "post",
        "/api/v1/school-year",
        "Change the school year (optionally with a previewed import in the same step)",
        Some("SchoolYearChange"),
        200,
        None,
    ),
    (
        "post",
        "/api/v1/session",
        "Log in; sets the session cookie",
        Some("LoginRequest"),
        200,
        Some("LoginResult"),
    ),
    ("delete", "/api/v1/session", "Log out", None, 204, None),
    (
        "get",
        "/api/v1/me",
        "The own user card, groups and effective rights",
        None,
        200,
        Some("Me"),
    ),
    (
        "post",
        "/api/v1/me/password",
        "Change the own password",
        Some("PasswordChange"),
        204,
        None,
    ),
    (
        "put",
        "/api/v1/me/external-mail",
        "Set the external mail address",
        Some("ExternalMail"),
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/me/external-mail",
        "Remove the external mail address",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/me/logout-everywhere",
        "End every session of the own login",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/consent",
        "The current terms of use and privacy policy",
        None,
        200,
        Some("ConsentTexts"),
    ),
    (
        "post",
        "/api/v1/consent",
        "Accept the terms and acknowledge the privacy policy",
        Some("Consent"),
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/consent",
        "Revoke consent; deactivates the account",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/consent/texts",
        "Publish a new version of the terms (admin)",
        Some("ConsentTextsInput"),
        201,
        None,
    ),
    (
        "get",
        "/api/v1/rights",
        "The rights matrix",
        None,
        200,
        None,
    ),
    (
        "get",
        "/api/v1/users",
        "List users (query: q, type, limit, offset)",
        None,
        200,
        Some("UserList"),
    ),
    (
        "post",
        "/api/v1/users",
        "Create a user or function account",
        Some("NewUser"),
        201,
        Some("CreatedUser"),
    ),
    (
        "get",
        "/api/v1/users/{login}",
        "A user card",
        None,
        200,
        Some("UserCard"),
    ),
    (
        "patch",
        "/api/v1/users/{login}",
        "Edit a user",
        Some("UserUpdate"),
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/users/{login}",
        "Delete a user",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/users/{login}/activate",
        "Reactivate a user",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/users/{login}/deactivate",
        "Deactivate a user; ends their sessions",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/users/{login}/password",
        "Reset a password (generated unless given)",
        Some("PasswordReset"),
        200,
        Some("PasswordResetResult"),
    ),
    (
        "put",
        "/api/v1/users/{login}/rights/{right}",
        "Grant an O-right",
        None,
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/users/{login}/rights/{right}",
        "Revoke an O-right",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/groups",
        "List groups (query: q)",
        None,
        200,
        None,
    ),
    (
        "post",
        "/api/v1/groups",
        "Create a group",
        Some("GroupInput"),
        201,
        None,
    ),
    (
        "get",
        "/api/v1/groups/{id}",
        "A group with its members",
        None,
        200,
        None,
    ),
    (
        "patch",
        "/api/v1/groups/{id}",
        "Edit a group",
        Some("GroupInput"),
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/groups/{id}",
        "Delete a group",
        None,
        204,
        None,
    ),
    (
        "put",
        "/api/v1/groups/{id}/members/{login}",
        "Add a member",
        None,
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/groups/{id}/members/{login}",
        "Remove a member",
        None,
        204,
        None,
    ),
    (
        "put",
        "/api/v1/groups/{id}/rights/{right}",
        "Grant an O-right to a group",
        None,
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/groups/{id}/rights/{right}",
        "Revoke an O-right from a group",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/audit",
        "The administrative-action log (query: limit, offset)",
        None,
        200,
        None,
    ),
    (
        "get",
        "/api/v1/audit/holds",
        "Holds on log data",
        None,
        200,
        None,
    ),
    (
        "post",
        "/api/v1/audit/holds",
        "Keep log data beyond 7 days for a documented case",
        Some("HoldInput"),
        201,
        None,
    ),
    (
        "get",
        "/api/v1/files",
        "The file areas the caller sees, what others shared with them, and the storage use",
        None,
        200,
        Some("FileOverview"),
    ),
    (
        "get",
        "/api/v1/me/storage",
        "The own storage use and the school's",
        None,
        200,
        Some("Usage"),
    ),
    (
        "get",
        "/api/v1/files/{id}",
        "A folder or file with its breadcrumbs; a folder with its children",
        None,
        200,
        Some("FileNode"),
    ),
    (
        "patch",
        "/api/v1/files/{id}",
        "Rename (name) and/or move (parent) a folder or file",
        Some("FileUpdate"),
        200,
        Some("FileEntry"),
    ),
    (
        "delete",
        "/api/v1/files/{id}",
        "Move a folder or file into the trash",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/files/{id}/folders",
        "Create a folder in the folder {id}",
        Some("FolderInput"),
        201,
        Some("FileEntry"),
    ),
    (
        "post",
        "/api/v1/files/{id}/copy",
        "Copy a folder or file into another folder",
        Some("FileCopy"),
        201,
        Some("FileEntry"),
    ),
    (
        "get",
        "/api/v1/files/{id}/content",
        "Download a file (Range: one byte range answers 206; If-None-Match answers 304)",
        None,
        200,
        None,
    ),
    (
        "put",
        "/api/v1/files/{id}/content",
        "Stream the raw body into the folder {id} as a file (query: name); 201 new file, 200 new version; 507 over quota",
        Some("RawContent"),
        201,
        Some("FileEntry"),
    ),
    (
        "post",
        "/api/v1/files/{id}/upload",
        "Upload one or more files (multipart, every part with a file name) into the folder {id}; 507 over quota",
        Some("FileUpload"),
        201,
        Some("FileEntryList"),
    ),
    (
        "get",
        "/api/v1/files/{id}/versions",
        "Earlier versions of a file, newest first",
        None,
        200,
        Some("VersionList"),
    ),
    (
        "post",
        "/api/v1/files/{id}/versions/{version}/restore",
        "Make an earlier version the current content",
        None,
        200,
        Some("FileEntry"),
    ),
    (
        "get",
        "/api/v1/files/{id}/grants",
        "The grants set on a folder or file",
        None,
        200,
        Some("GrantList"),
    ),
    (
        "post",
        "/api/v1/files/{id}/grants",
        "Give a role to a group or login (subject) or, as admin, to a kind of login (kind)",
        Some("GrantInput"),
        201,
        Some("Grant"),
    ),
    (
        "delete",
        "/api/v1/files/{id}/grants/{key}",
        "Remove a grant by its key",
        None,
        204,
        None,
    ),
    (
        "put",
        "/api/v1/files/{id}/inherit",
        "Withdraw (false) or restore (true) the rights inherited from above",
        Some("InheritInput"),
        204,
        None,
    ),
    (
        "put",
        "/api/v1/files/{id}/drop-box",
        "Make a folder a drop folder (contributors see only their own entries) or a normal one",
        Some("DropBoxInput"),
        204,
        None,
    ),
    (
        "get",
        "/api/v1/files/trash",
        "Deletions the caller may restore (query: area = own, info, teaching or staff)",
        None,
        200,
        Some("TrashList"),
    ),
    (
        "post",
        "/api/v1/files/trash/{id}/restore",
        "Restore a deletion into its folder",
        None,
        200,
        Some("FileEntry"),
    ),
    (
        "delete",
        "/api/v1/files/trash/{id}",
        "Delete a trash entry for good",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/me/app-passwords",
        "The caller's app passwords (for WebDAV clients), without their secrets",
        None,
        200,
        Some("AppPasswordList"),
    ),
    (
        "post",
        "/api/v1/me/app-passwords",
        "Create an app password; the password is shown this once",
        Some("AppPasswordInput"),
        201,
        Some("CreatedAppPassword"),
    ),
    (
        "delete",
        "/api/v1/me/app-passwords/{id}",
        "Revoke an app password",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/files/{id}/links",
        "Create a share link (read or upload, optional password and expiry); the token is shown once",
        Some("LinkInput"),
        201,
        Some("CreatedLink"),
    ),
    (
        "get",
        "/api/v1/files/{id}/links",
        "The share links of a node",
        None,
        200,
        Some("LinkList"),
    ),
    (
        "get",
        "/api/v1/links",
        "The caller's share links (the admin: all of the school)",
        None,
        200,
        Some("LinkList"),
    ),
    (
        "delete",
        "/api/v1/links/{id}",
        "Revoke a share link (its creator, a coordinator of the node, or the admin)",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/files/{id}/meta",
        "Licence and metadata of a file",
        None,
        200,
        Some("MediaMeta"),
    ),
    (
        "put",
        "/api/v1/files/{id}/meta",
        "Set licence (needs the right to give public licences) and metadata of a file",
        Some("MediaMeta"),
        200,
        Some("MediaMeta"),
    ),
    (
        "get",
        "/api/v1/media",
        "Search the Mediathek (query: q, limit): what the caller may see, plus licensed files of other schools",
        None,
        200,
        Some("MediaHitList"),
    ),
    (
        "get",
        "/api/v1/media/favourites",
        "The caller's favourites",
        None,
        200,
        Some("MediaHitList"),
    ),
    (
        "put",
        "/api/v1/media/favourites/{id}",
        "Keep a medium as a favourite",
        None,
        204,
        None,
    ),
    (
        "delete",
        "/api/v1/media/favourites/{id}",
        "Remove a favourite",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/media/{id}/content",
        "Download a medium (own school through the rights, other schools only when licensed)",
        None,
        200,
        Some("RawContent"),
    ),
    (
        "options",
        "/api/v1/uploads",
        "tus 1.0.0 discovery: Tus-Version and Tus-Extension (creation, termination, expiration)",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/uploads",
        "Announce a resumable upload (tus creation): headers Tus-Resumable 1.0.0, Upload-Length, Upload-Metadata with filename, folder (node id) and optionally filetype, base64; answers Location and Upload-Expires; 507 over quota; not into the Safe",
        None,
        201,
        Some("UploadStatus"),
    ),
    (
        "head",
        "/api/v1/uploads/{id}",
        "Where a resumable upload stands (Upload-Offset, Upload-Length); only the announcing login sees it",
        None,
        200,
        None,
    ),
    (
        "patch",
        "/api/v1/uploads/{id}",
        "Send content from Upload-Offset on (409 if the upload stands elsewhere); what arrives is kept even if the transfer breaks; 204 while incomplete, 200 with the stored file once complete",
        Some("OffsetContent"),
        200,
        Some("FileEntry"),
    ),
    (
        "delete",
        "/api/v1/uploads/{id}",
        "Give a resumable upload up (tus termination)",
        None,
        204,
        None,
    ),
];

/// An object schema from (property, type) pairs and the required properties.
fn object(props: &[(&str, &str)], required: &[&str]) -> Value {
    let p: Map<String, Value> = props
        .iter()
        .map(|(k, t)| ((*k).into(), json!({ "type": t })))
        .collect();
    json!({ "type": "object", "properties": p, "required": required })
}

fn schemas() -> Value {
    let s = object;
    let mut all = json!({
        "Error": s(&[("error", "string"), ("message", "string"), ("field", "string")], &["error", "message"]),
        "LoginRequest": s(&[("instance", "string"), ("login", "string"), ("password", "string")], &["instance", "login", "password"]),
        "LoginResult": s(&[("login", "string"), ("instance", "string"), ("expires", "string"), ("required", "string")], &["login", "instance"]),
        "Me": {
            "type": "object",
            "required": ["login", "instance", "account_type", "function_role", "groups", "rights"],
            "properties": {
                "login": {"type": "string"}, "instance": {"type": "string"},
                "account_type": {"type": "string", "enum": ["lehrer", "personal", "schueler", "extern", "function"]},
                "function_role": {"type": ["string", "null"], "enum": ["admin", "schulleitung", "sekretariat", null]},
                "first_name": {"type": "string"}, "last_name": {"type": "string"}, "mail": {"type": "string"},
                "external_mail": {"type": ["string", "null"]}, "school_name": {"type": "string"},
                "groups": {"type": "array", "items": {"type": "string"}},
                "rights": {"type": "array", "items": {"type": "string"}}
            }
        },
        "PasswordChange": s(&[("old", "string"), ("new", "string")], &["old", "new"]),
        "ImportUpload": s(&[("file", "string"), ("format", "string"), ("with_students", "boolean"), ("account_type", "string"), ("zip_password", "string")], &["file", "format"]),
        "ImportRun": s(&[("run", "object"), ("summary", "object"), ("plan", "object")], &["run"]),
        "ImportApply": s(&[("protocol_password", "string"), ("accept_fixes", "boolean"), ("skip_groups", "array"), ("expected", "object")], &["protocol_password"]),
        "DeletionPeriods": s(&[("students", "integer"), ("staff", "integer"), ("organisation", "integer")], &["students", "staff", "organisation"]),
        "DeletionConfirm": s(&[("logins", "array"), ("all", "boolean")], &[]),
        "SchoolYearChange": s(&[("from", "string"), ("to", "string"), ("dry_run", "boolean"), ("import", "string"), ("protocol_password", "string"), ("accept_fixes", "boolean")], &["from", "to"]),
        "ExternalMail": s(&[("external_mail", "string")], &["external_mail"]),
        "Consent": s(&[("terms", "boolean"), ("privacy", "boolean")], &["terms"]),
        "ConsentTexts": s(&[("version", "integer"), ("terms", "string"), ("privacy", "string")], &["version", "terms", "privacy"]),
        "ConsentTextsInput": s(&[("terms", "string"), ("privacy", "string")], &["terms", "privacy"]),
        "UserList": s(&[("users", "array"), ("editable", "boolean"), ("more", "boolean")], &["users", "editable", "more"]),
        "NewUser": s(&[("first_name", "string"), ("last_name", "string"), ("account_type", "string"), ("function_role", "string"), ("login", "string"), ("password", "string"), ("external_mail", "string"), ("holder", "string"), ("groups", "array")], &["first_name", "last_name"]),
        "CreatedUser": s(&[("login", "string"), ("mail", "string"), ("initial_password", "string")], &["login", "mail"]),
        "UserCard": s(&[("login", "string"), ("mail", "string"), ("groups", "array"), ("granted", "array"), ("rights", "array")], &["login"]),
        "UserUpdate": s(&[("first_name", "string"), ("last_name", "string"), ("account_type", "string"), ("external_mail", "string"), ("holder", "string")], &[]),
        "PasswordReset": s(&[("password", "string")], &[]),
        "PasswordResetResult": s(&[("initial_password", "string"), ("must_change", "boolean")], &["must_change"]),
        "GroupInput": s(&[("name", "string"), ("kind", "string"), ("description", "string")], &["name", "kind"]),
        "HoldInput": s(&[("login", "string"), ("from", "string"), ("until", "string"), ("reason", "string")], &["from", "until", "reason"]),
    });
    if let (Some(all), Value::Object(files)) = (all.as_object_mut(), file_schemas()) {
        all.extend(files);
    }
    all
}

/// The cloud file manager's schemas (a second `json!` keeps the macro's recursion shallow).
fn file_schemas() -> Value {
    let s = object;
    json!({
        "FileEntry": s(&[("id", "string"), ("parent", "string"), ("area", "string"), ("name", "string"), ("is_dir", "boolean"), ("size", "integer"), ("mime", "string"), ("modified_at", "string"), ("etag", "string"), ("role", "string"), ("drop_box", "boolean"), ("inherits", "boolean")], &["id", "area", "name", "is_dir", "size", "modified_at", "etag", "role", "drop_box", "inherits"]),
        "FileEntryList": { "type": "array", "items": { "$ref": "#/components/schemas/FileEntry" } },
        "Usage": s(&[("used", "integer"), ("quota", "integer"), ("school_used", "integer"), ("school_quota", "integer")], &["used", "quota", "school_used", "school_quota"]),
        "FileOverview": {
            "type": "object",
            "required": ["areas", "shared_with_me", "usage"],
            "properties": {
                "areas": { "$ref": "#/components/schemas/FileEntryList" },
                "shared_with_me": { "$ref": "#/components/schemas/FileEntryList" },
                "usage": { "$ref": "#/components/schemas/Usage" }
            }
        },
        "FileNode": {
            "type": "object",
            "required": ["entry", "breadcrumbs"],
            "properties": {
                "entry": { "$ref": "#/components/schemas/FileEntry" },
                "breadcrumbs": { "type": "array", "items": s(&[("id", "string"), ("name", "string")], &["id", "name"]) },
                "children": { "$ref": "#/components/schemas/FileEntryList" }
            }
        },
        "FolderInput": s(&[("name", "string")], &["name"]),
        "FileUpdate": s(&[("name", "string"), ("parent", "string")], &[]),
        "FileCopy": s(&[("parent", "string"), ("name", "string")], &["parent"]),
        "RawContent": { "type": "string", "format": "binary" },
        "OffsetContent": { "type": "string", "format": "binary" },
        "UploadStatus": s(&[("id", "string"), ("name", "string"), ("offset", "integer"), ("length", "integer"), ("expires_at", "string")], &["id", "name", "offset", "length", "expires_at"]),
        "FileUpload": { "type": "object", "properties": { "file": { "type": "array", "items": { "type": "string", "format": "binary" } } } },
        "VersionList": { "type": "array", "items": s(&[("id", "string"), ("size", "integer"), ("modified_at", "string"), ("modified_by", "string")], &["id", "size", "modified_at"]) },
        "Grant": s(&[("key", "string"), ("kind", "string"), ("label", "string"), ("role", "string")], &["key", "kind", "label", "role"]),
        "GrantList": { "type": "array", "items": { "$ref": "#/components/schemas/Grant" } },
        "GrantInput": s(&[("subject", "string"), ("kind", "string"), ("role", "string")], &["role"]),
        "InheritInput": s(&[("inherit", "boolean")], &["inherit"]),
        "DropBoxInput": s(&[("drop_box", "boolean")], &["drop_box"]),
        "AppPasswordInput": s(&[("label", "string")], &["label"]),
        "AppPassword": s(&[("id", "string"), ("label", "string"), ("created_at", "string"), ("last_used_at", "string")], &["id", "label", "created_at"]),
        "AppPasswordList": { "type": "array", "items": { "$ref": "#/components/schemas/AppPassword" } },
        "CreatedAppPassword": { "type": "object", "required": ["app_password", "password"], "properties": { "app_password": { "$ref": "#/components/schemas/AppPassword" }, "password": { "type": "string" } } },
        "LinkInput": s(&[("mode", "string"), ("password", "string"), ("expires_at", "string")], &[]),
        "Link": s(&[("id", "string"), ("node", "string"), ("name", "string"), ("mode", "string"), ("has_password", "boolean"), ("expires_at", "string"), ("created_at", "string"), ("created_by", "string")], &["id", "node", "name", "mode", "has_password", "created_at"]),
        "LinkList": { "type": "array", "items": { "$ref": "#/components/schemas/Link" } },
        "CreatedLink": { "type": "object", "required": ["link", "token"], "properties": { "link": { "$ref": "#/components/schemas/Link" }, "token": { "type": "string" } } },
        "MediaMeta": s(&[("license", "string"), ("subject", "string"), ("grade", "string"), ("keywords", "string")], &["subject", "grade", "keywords"]),
        "MediaHit": s(&[("id", "string"), ("name", "string"), ("size", "integer"), ("modified_at", "string"), ("other_school", "string"), ("meta", "object"), ("favourite", "boolean")], &["id", "name", "size", "modified_at", "meta", "favourite"]),
        "MediaHitList": { "type": "array", "items": { "$ref": "#/components/schemas/MediaHit" } },
        "TrashList": { "type": "array", "items": s(&[("id", "string"), ("name", "string"), ("is_dir", "boolean"), ("size", "integer"), ("deleted_at", "string"), ("deleted_by", "string"), ("folder", "string")], &["id", "name", "is_dir", "size", "deleted_at"]) },
    })
}

fn operation(
    summary: &str,
    body: Option<&str>,
    status: u16,
    response: Option<&str>,
    path: &str,
) -> Value {
    let err = json!({ "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let ok = match response {
        Some(r) => {
            json!({ "description": "OK", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{r}") } } } })
        }
        None => json!({ "description": "OK" }),
    };
    let params: Vec<Value> = path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    let mut op = json!({
        "summary": summary,
        "parameters": params,
        "responses": { status.to_string(): ok, "default": err },
    });
    if let Some(b) = body {
        // Files travel as multipart forms or raw bodies, everything else as JSON.
        let media = if b.ends_with("Upload") {
            "multipart/form-data"
        } else if b == "RawContent" {
            "application/octet-stream"
        } else if b == "OffsetContent" {
            "application/offset+octet-stream"
        } else {
            "application/json"
        };
        op["requestBody"] = json!({ "required": true, "content": { media: { "schema": { "$ref": format!("#/components/schemas/{b}") } } } });
    }
    op
}

pub fn build() -> Value {
    let mut paths = Map::new();
    for (method, path, summary, body, status, response) in ENDPOINTS {
        let entry = paths.entry(*path).or_insert_with(|| json!({}));
        entry[*method] = operation(summary, *body, *status, *response, path);
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Schulhof API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Errors are {\"error\": code, \"message\": text}. Authentication: the session cookie from POST /api/v1/session." },
        "paths": paths,
        "components": { "schemas": schemas() },
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
