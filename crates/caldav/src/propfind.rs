//! PROPFIND with depth 0 or 1 (infinity is taken as 1: homes are flat).

use axum::response::Response;

use crate::error::{DavError, DavResult};
use crate::handler::{DavRequest, multistatus};
use crate::path::Target;
use crate::props::{self, Data, Res};
use crate::request::{self, Props};
use crate::store::{Collection, DavStore, Object, ObjectMeta, Principal};
use crate::xml::Name;
use crate::xml::write::{Multistatus, Value};

pub async fn propfind<S: DavStore>(
    store: &S,
    target: &Target,
    req: &DavRequest,
) -> DavResult<Response> {
    let asked = request::propfind(&req.body)?;
    let deep = !matches!(
        req.headers.get("depth").and_then(|v| v.to_str().ok()),
        Some("0")
    );
    let me = store.me().clone();
    let mut ms = Multistatus::new();
    match target {
        Target::Root | Target::Principals => {
            let res = if *target == Target::Root {
                Res::Root
            } else {
                Res::Principals
            };
            write(&mut ms, &res, &asked, &me);
            if deep {
                write(&mut ms, &Res::Principal(&me), &asked, &me);
            }
        }
        Target::Principal(login) => {
            let p = principal(store, login).await?;
            write(&mut ms, &Res::Principal(&p), &asked, &me);
        }
        Target::Home(kind, login) => {
            // A home exists for the caller and for nobody else (others' calendars appear in
            // the caller's own home as far as they are visible).
            if *login != me.login {
                return Err(DavError::NotFound);
            }
            let colls = store
                .collections(*kind, login)
                .await
                .map_err(|e| DavError::from_store(e, None))?;
            write(&mut ms, &Res::Home(*kind, login), &asked, &me);
            if deep {
                for c in &colls {
                    write(&mut ms, &Res::Collection(c), &asked, &me);
                }
            }
        }
        Target::Collection(id) => {
            let coll = crate::collection::exists(store, id).await?;
            write(&mut ms, &Res::Collection(&coll), &asked, &me);
            if deep {
                members(store, &coll, &asked, &me, &mut ms).await?;
            }
        }
        Target::Object(id, name) => {
            let coll = crate::collection::exists(store, id).await?;
            let obj = store
                .get(id, name)
                .await
                .map_err(|e| DavError::from_store(e, Some(id)))?
                .ok_or(DavError::NotFound)?;
            let res = Res::Object {
                coll: &coll,
                meta: &obj.meta,
                data: Some(Data::Raw(&obj.data)),
            };
            write(&mut ms, &res, &asked, &me);
        }
    }
    Ok(multistatus(ms.finish(None)))
}

async fn principal<S: DavStore>(store: &S, login: &str) -> DavResult<Principal> {
    store
        .principal(login)
        .await
        .map_err(|e| DavError::from_store(e, None))?
        .ok_or(DavError::NotFound)
}

/// The members of a collection: their text only when a property needs it.
async fn members<S: DavStore>(
    store: &S,
    coll: &Collection,
    asked: &Props,
    me: &Principal,
    ms: &mut Multistatus,
) -> DavResult<()> {
    let need_data = matches!(asked, Props::Names(n) if props::wants_data(n));
    let id = &coll.id;
    if need_data {
        let metas = store
            .objects(id)
            .await
            .map_err(|e| DavError::from_store(e, Some(id)))?;
        let names: Vec<String> = metas.into_iter().map(|m| m.name).collect();
        let objs: Vec<Object> = store
            .multiget(id, &names)
            .await
            .map_err(|e| DavError::from_store(e, Some(id)))?;
        for o in &objs {
            write(
                ms,
                &Res::Object {
                    coll,
                    meta: &o.meta,
                    data: Some(Data::Raw(&o.data)),
                },
                asked,
                me,
            );
        }
    } else {
        let metas: Vec<ObjectMeta> = store
            .objects(id)
            .await
            .map_err(|e| DavError::from_store(e, Some(id)))?;
        for m in &metas {
            write(
                ms,
                &Res::Object {
                    coll,
                    meta: m,
                    data: None,
                },
                asked,
                me,
            );
        }
    }
    Ok(())
}

/// One response for `res` with the properties `asked` for.
pub fn write(ms: &mut Multistatus, res: &Res<'_>, asked: &Props, me: &Principal) {
    let href = res.href();
    match asked {
        Props::Names(names) => {
            let (found, missing) = evaluate(res, names, me);
            ms.props(&href, &found, &missing);
        }
        Props::All => {
            let found: Vec<(Name, Value)> = props::names(res)
                .into_iter()
                .filter_map(|n| props::value(res, &n, me).map(|v| (n, v)))
                .collect();
            ms.props(&href, &found, &[]);
        }
        Props::PropName => {
            let found: Vec<(Name, Value)> = props::names(res)
                .into_iter()
                .map(|n| (n, Value::Empty))
                .collect();
            ms.props(&href, &found, &[]);
        }
    }
}

/// The asked properties split into found (with values) and missing.
pub fn evaluate(res: &Res<'_>, names: &[Name], me: &Principal) -> (Vec<(Name, Value)>, Vec<Name>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        match props::value(res, n, me) {
            Some(v) => found.push((n.clone(), v)),
            None => missing.push(n.clone()),
        }
    }
    (found, missing)
}
