//! Before and around the login: CAPABILITY, STARTTLS, LOGIN, AUTHENTICATE PLAIN, ID, ENABLE,
//! NAMESPACE.

use imap_next::types::CommandAuthenticate;
use imap_types::auth::{AuthMechanism, AuthenticateData};
use imap_types::core::{Atom, QuotedChar, Vec1};
use imap_types::extensions::enable::CapabilityEnable;
use imap_types::extensions::namespace::Namespace;
use imap_types::response::{Capability, CommandContinuationRequest, Data};

use crate::respond::Done;
use crate::session::Ctx;
use crate::store::{MailStore, StoreError};

/// What the server offers in the session's present state.
pub fn capabilities<S: MailStore>(cx: &Ctx<S>) -> Vec1<Capability<'static>> {
    let mut caps = vec![Capability::Imap4Rev1];
    if cx.actor.is_none() {
        if cx.starttls_offered() {
            caps.push(Capability::StartTls);
        }
        if cx.login_allowed() {
            caps.push(Capability::Auth(AuthMechanism::Plain));
        } else {
            caps.push(Capability::LoginDisabled);
        }
        caps.push(Capability::SaslIr);
    }
    caps.extend([
        Capability::LiteralPlus,
        Capability::Id,
        Capability::Enable,
        Capability::Idle,
        Capability::Namespace,
        Capability::UidPlus,
        Capability::Move,
        Capability::Unselect,
        Capability::CondStore,
        Capability::QResync,
        Capability::Quota,
    ]);
    if let Ok(a) = Atom::try_from("SPECIAL-USE") {
        caps.push(Capability::from(a));
    }
    Vec1::unvalidated(caps)
}

pub fn capability<S: MailStore>(cx: &mut Ctx<S>) -> Done {
    let caps = capabilities(cx);
    cx.data(Data::Capability(caps));
    Done::ok("CAPABILITY completed")
}

pub fn starttls<S: MailStore>(cx: &Ctx<S>) -> Result<(), Done> {
    if cx.tls_active {
        return Err(Done::bad("TLS is active already"));
    }
    if cx.peer.tls.is_none() {
        return Err(Done::no("TLS is not available"));
    }
    if cx.actor.is_some() {
        return Err(Done::bad("Already logged in"));
    }
    Ok(())
}

pub async fn login<S: MailStore>(cx: &mut Ctx<S>, user: &[u8], password: &[u8]) -> Done {
    if cx.actor.is_some() {
        return Done::bad("Already logged in");
    }
    if !cx.login_allowed() {
        return Done::no("Log in after STARTTLS").other("PRIVACYREQUIRED");
    }
    let (Ok(user), Ok(password)) = (std::str::from_utf8(user), std::str::from_utf8(password))
    else {
        return Done::no("Wrong login or password").other("AUTHENTICATIONFAILED");
    };
    let addr = cx.peer.addr.clone();
    match cx.store.login(user, password, &addr).await {
        Ok(actor) => {
            cx.logged_in(actor);
            Done::ok("Logged in")
        }
        Err(StoreError::Forbidden) => {
            Done::no("Mail programs are not enabled for this login").other("AUTHORIZATIONFAILED")
        }
        // Terms of use not accepted yet, a new password due: the web says what to do.
        Err(StoreError::Invalid(m)) => Done::no(m).other("AUTHORIZATIONFAILED"),
        Err(e) => Done::from(e),
    }
}

/// AUTHENTICATE PLAIN, with the credentials at once (SASL-IR) or after a continuation.
pub async fn authenticate<S: MailStore>(cx: &mut Ctx<S>, c: CommandAuthenticate) {
    let refuse = |cx: &mut Ctx<S>, done: Done| {
        let status = done.into_status(c.tag.clone());
        let _ = cx.server.authenticate_finish(status);
    };
    if cx.actor.is_some() {
        return refuse(cx, Done::bad("Already logged in"));
    }
    if c.mechanism != AuthMechanism::Plain {
        return refuse(cx, Done::no("Only PLAIN is supported").other("CANNOT"));
    }
    if !cx.login_allowed() {
        return refuse(
            cx,
            Done::no("Log in after STARTTLS").other("PRIVACYREQUIRED"),
        );
    }
    match c.initial_response {
        Some(r) => {
            let done = plain(cx, r.declassify().as_ref()).await;
            refuse(cx, done);
        }
        None => {
            cx.auth_tag = Some(c.tag.clone());
            let _ = cx
                .server
                .authenticate_continue(CommandContinuationRequest::base64(Vec::new()));
        }
    }
}

pub async fn authenticate_data<S: MailStore>(cx: &mut Ctx<S>, data: AuthenticateData<'static>) {
    let Some(tag) = cx.auth_tag.take() else {
        return;
    };
    let done = match data {
        AuthenticateData::Cancel => Done::bad("Authentication cancelled"),
        AuthenticateData::Continue(r) => plain(cx, r.declassify().as_ref()).await,
    };
    let _ = cx.server.authenticate_finish(done.into_status(tag));
}

/// `authzid NUL authcid NUL password`; acting for someone else is not offered.
async fn plain<S: MailStore>(cx: &mut Ctx<S>, response: &[u8]) -> Done {
    let parts: Vec<&[u8]> = response.split(|&b| b == 0).collect();
    let [authz, user, password] = parts.as_slice() else {
        return Done::bad("Malformed PLAIN response");
    };
    if !authz.is_empty() && authz != user {
        return Done::no("Acting for another login is not allowed").other("AUTHORIZATIONFAILED");
    }
    login(cx, user, password).await
}

pub fn id<S: MailStore>(cx: &mut Ctx<S>) -> Done {
    cx.data(Data::Id {
        parameters: Some(vec![(
            crate::mime::istring(b"name"),
            crate::mime::nstring(Some(b"Schulhof")),
        )]),
    });
    Done::ok("ID completed")
}

pub fn enable<S: MailStore>(cx: &mut Ctx<S>, caps: &[CapabilityEnable<'static>]) -> Done {
    if cx.actor.is_none() {
        return Done::bad("ENABLE needs a login first");
    }
    let mut enabled = Vec::new();
    for c in caps {
        if *c == CapabilityEnable::CondStore {
            cx.condstore = true;
            enabled.push(CapabilityEnable::CondStore);
        } else if c.to_string().eq_ignore_ascii_case("QRESYNC") {
            // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
            cx.condstore = true;
            cx.qresync = true;
            enabled.push(c.clone());
        }
    }
    cx.data(Data::Enabled {
        capabilities: enabled,
    });
    Done::ok("ENABLE completed")
}

pub fn namespace<S: MailStore>(cx: &mut Ctx<S>) -> Done {
    if cx.actor.is_none() {
        return Done::bad("NAMESPACE needs a login first");
    }
    let personal = Namespace {
        prefix: crate::mime::istring(b""),
        delimiter: Some(QuotedChar::unvalidated('/')),
        extensions: Vec::new(),
    };
    // Mailboxes delegated to the login: `Andere/<owner login>/<folder>`.
    let others = format!("{}/", schulhof_domain::mail::OTHER_USERS);
    let other = Namespace {
        prefix: crate::mime::istring(others.as_bytes()),
        delimiter: Some(QuotedChar::unvalidated('/')),
        extensions: Vec::new(),
    };
    cx.data(Data::Namespace {
        personal: vec![personal],
        other: vec![other],
        shared: Vec::new(),
    });
    Done::ok("NAMESPACE completed")
}
