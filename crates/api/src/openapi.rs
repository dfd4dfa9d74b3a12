//! The OpenAPI 3.1 document, built from one table of endpoints. A test checks that every
//! endpoint listed here is routed, so the document cannot promise what the router lacks.

use axum::Json;
use serde_json::{Map, Value, json};

use crate::openapi_files;

/// (method, path, summary, request body schema, success status, response schema)
pub(crate) type Endpoint = (
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
        "Change the own password. Wrong old passwords count like failed logins (429 with Retry-After when throttled); other sessions end and every app password is revoked",
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
        "Reset a password (generated unless given); the login's sessions end and every app password of it is revoked",
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
        "/api/v1/me/notifications",
        "The caller's newest notifications (password reset, holds, Safe password requests), unread first",
        None,
        200,
        None,
    ),
    (
        "post",
        "/api/v1/me/notifications/read",
        "Mark every notification of the caller as read",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/requests",
        "Four-eyes requests the caller made, decided or may decide (pending first)",
        None,
        200,
        None,
    ),
    (
        "post",
        "/api/v1/requests/{id}/confirm",
        "Confirm a request as the second person; a Safe password or first login password is returned to the confirming Schulleitung only",
        None,
        200,
        None,
    ),
    (
        "post",
        "/api/v1/requests/{id}/reject",
        "Reject a request; nothing it asked for happens (a hold stays)",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/users/{login}/safe-password-reset",
        "Ask for a new Safe password for a login (admin); the Schulleitung confirms and hands it over",
        None,
        202,
        None,
    ),
];

/// An object schema from (property, type) pairs and the required properties.
pub(crate) fn object(props: &[(&str, &str)], required: &[&str]) -> Value {
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
    if let (Some(all), Value::Object(files)) = (all.as_object_mut(), openapi_files::file_schemas())
    {
        all.extend(files);
    }
    if let (Some(all), Value::Object(news)) = (all.as_object_mut(), crate::news::news_schemas()) {
        all.extend(news);
    }
    if let (Some(all), Value::Object(lms)) = (all.as_object_mut(), crate::lms_work::lms_schemas()) {
        all.extend(lms);
    }
    all
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
    for (method, path, summary, body, status, response) in ENDPOINTS
        .iter()
        .chain(openapi_files::FILE_ENDPOINTS)
        .chain(crate::news::NEWS_ENDPOINTS)
        .chain(crate::lms_work::LMS_ENDPOINTS)
    {
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
