//! The compose form filled from another message: an answer to the sender or to everyone
//! (quoted, with In-Reply-To and References, so clients thread it), a forward (the original
//! text and its attachments), or a draft opened again.

use schulhof_domain::mail::MessageMeta;

use super::compose_form::Input;
use super::view::View;
use crate::i18n::Tr;
use crate::when::Zone;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Reply,
    ReplyAll,
    Forward,
    Draft,
}

/// The address inside `Name <addr>`, or the whole text.
fn bare(a: &str) -> String {
    match (a.rfind('<'), a.ends_with('>')) {
        (Some(i), true) => a[i + 1..a.len() - 1].trim().to_lowercase(),
        _ => a.trim().to_lowercase(),
    }
}

/// `prefix` before `subject` unless it has one already (also the German "AW:"/"WG:").
fn prefixed(prefix: &str, subject: &str, known: &[&str]) -> String {
    let lower = subject.trim_start().to_lowercase();
    if known.iter().any(|k| lower.starts_with(k)) {
        subject.trim().to_owned()
    } else {
        format!("{prefix} {}", subject.trim())
    }
}

fn quoted(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_owned()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Joins addresses, leaving out the own ones and repeats.
fn others(
    list: impl IntoIterator<Item = String>,
    own: &[String],
    seen: &mut Vec<String>,
) -> String {
    let mut out = Vec::new();
    for a in list {
        let b = bare(&a);
        if b.is_empty() || own.contains(&b) || seen.contains(&b) {
            continue;
        }
        seen.push(b);
        out.push(a);
    }
    out.join(", ")
}

/// The form for `mode` from the message `m` (read as `v`); `own` are the writer's
/// addresses (lower case).
pub fn prefill(tr: Tr, zone: Zone, mode: Mode, m: &MessageMeta, v: &View, own: &[String]) -> Input {
    let id = m.id.to_string();
    let text = v.text.clone().unwrap_or_default();
    let sender = if v.from.is_empty() {
        m.from_addr.clone()
    } else {
        v.from.clone()
    };
    // Answer from the address the message came to, if it is one of the own.
    let from =
        v.to.iter()
            .chain(&v.cc)
            .map(|a| bare(a))
            .find(|a| own.contains(a))
            .or_else(|| own.first().cloned())
            .unwrap_or_default();
    let mut input = Input {
        from,
        ..Input::default()
    };
    let when = zone.datetime(tr, v.date.unwrap_or(m.received_at));
    match mode {
        Mode::Reply | Mode::ReplyAll => {
            let mut seen = Vec::new();
            let first = v.reply_to.clone().unwrap_or(sender.clone());
            input.to = others([first], &[], &mut seen);
            if mode == Mode::ReplyAll {
                let rest = others(v.to.iter().cloned(), own, &mut seen);
                if !rest.is_empty() {
                    input.to = [input.to.clone(), rest].join(", ");
                }
                input.cc = others(v.cc.iter().cloned(), own, &mut seen);
            }
            input.subject = prefixed("Re:", &v.subject, &["re:", "aw:"]);
            let head = tr
                .t("mail.reply.quote")
                .replace("{date}", &when)
                .replace("{name}", &sender);
            input.body = format!("\n\n{head}\n{}\n", quoted(&text));
            input.in_reply_to = v.message_id.clone().unwrap_or_default();
            let mut refs = v.references.clone();
            refs.extend(v.message_id.clone());
            input.references = refs.join(" ");
            input.antwort = id;
        }
        Mode::Forward => {
            input.subject = prefixed("Fwd:", &v.subject, &["fwd:", "fw:", "wg:"]);
            let mut head = vec![
                tr.t("mail.forward.header").to_owned(),
                format!("{}: {sender}", tr.t("mail.msg.from")),
                format!("{}: {when}", tr.t("mail.msg.date")),
                format!("{}: {}", tr.t("mail.col.subject"), v.subject),
            ];
            if !v.to.is_empty() {
                head.push(format!("{}: {}", tr.t("mail.msg.to"), v.to.join(", ")));
            }
            input.body = format!("\n\n{}\n\n{}\n", head.join("\n"), text.trim_end());
            input.quelle = id;
            input.behalten = v.parts.iter().map(|p| p.index).collect();
        }
        Mode::Draft => {
            if own.contains(&bare(&v.from)) {
                input.from = bare(&v.from);
            }
            input.to = v.to.join(", ");
            input.cc = v.cc.join(", ");
            input.bcc = v.bcc.join(", ");
            input.subject = v.subject.clone();
            input.body = text;
            input.in_reply_to = v.in_reply_to.clone().unwrap_or_default();
            input.references = v.references.join(" ");
            input.entwurf = id.clone();
            input.quelle = id;
            input.behalten = v.parts.iter().map(|p| p.index).collect();
        }
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_get_one_prefix_and_quotes_mark_each_line() {
        assert_eq!(prefixed("Re:", "Hallo", &["re:", "aw:"]), "Re: Hallo");
        assert_eq!(prefixed("Re:", "AW: Hallo", &["re:", "aw:"]), "AW: Hallo");
        assert_eq!(quoted("a\n\nb\n"), "> a\n>\n> b");
        let mut seen = Vec::new();
        let own = vec!["me@x.de".to_owned()];
        let list = [
            "A <a@x.de>".to_owned(),
            "me@x.de".to_owned(),
            "a@x.de".to_owned(),
        ];
        assert_eq!(others(list, &own, &mut seen), "A <a@x.de>");
    }
}
