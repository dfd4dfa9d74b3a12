//! The socket's frames. Clients send small JSON objects with a `type`; anything else (too
//! long, not JSON, an unknown type, a missing or wrong field) is a protocol violation that
//! closes that one socket with a reason.

use schulhof_domain::chat::RoomId;
use serde::Deserialize;

/// The longest client frame in bytes: a message of 4,000 characters of up to 4 bytes each,
/// with room for the JSON around it.
pub const MAX_FRAME: usize = 17 * 1024;

/// One request of a client.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientFrame {
    /// A new message; `ref` comes back in the answer so the client can match it.
    Send {
        room: RoomId,
        text: String,
        #[serde(default)]
        reply_to: Option<i64>,
        #[serde(default, rename = "ref")]
        reference: Option<String>,
    },
    Edit {
        room: RoomId,
        seq: i64,
        text: String,
    },
    Delete {
        room: RoomId,
        seq: i64,
    },
    React {
        room: RoomId,
        seq: i64,
        emoji: String,
        #[serde(default = "yes")]
        on: bool,
    },
    Read {
        room: RoomId,
        seq: i64,
    },
    Typing {
        room: RoomId,
    },
    /// Everything of the room changed after `after` (the last `rev` the client holds).
    Resume {
        room: RoomId,
        after: i64,
    },
    /// Empty braces, so unknown fields are refused here too.
    Ping {},
    /// A video-conference step (see `crate::conference::ConfOp`).
    Conf {
        room: RoomId,
        op: crate::conference::ConfOp,
    },
}

fn yes() -> bool {
    true
}

/// Why a frame closes the socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    TooLarge,
    Malformed(String),
}

impl FrameError {
    /// The WebSocket close code: 1009 (message too big) or 1007/1008 (bad data / policy).
    pub fn close_code(&self) -> u16 {
        match self {
            FrameError::TooLarge => 1009,
            FrameError::Malformed(_) => 1007,
        }
    }

    /// The close reason (at most 123 bytes, as the protocol allows).
    pub fn reason(&self) -> String {
        let r = match self {
            FrameError::TooLarge => "frame too large".to_owned(),
            FrameError::Malformed(e) => format!("malformed frame: {e}"),
        };
        let mut end = r.len().min(120);
        while !r.is_char_boundary(end) {
            end -= 1;
        }
        r[..end].to_owned()
    }
}

/// Decodes one text frame.
pub fn decode(text: &str) -> Result<ClientFrame, FrameError> {
    if text.len() > MAX_FRAME {
        return Err(FrameError::TooLarge);
    }
    serde_json::from_str(text).map_err(|e| FrameError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_every_kind_of_frame() {
        let room = RoomId::new();
        let f = decode(&format!(
            r#"{{"type":"send","room":"{room}","text":"Hallo","ref":"a1"}}"#
        ));
        assert_eq!(
            f,
            Ok(ClientFrame::Send {
                room,
                text: "Hallo".into(),
                reply_to: None,
                reference: Some("a1".into())
            })
        );
        let f = decode(&format!(
            r#"{{"type":"react","room":"{room}","seq":3,"emoji":"👍"}}"#
        ));
        assert!(matches!(
            f,
            Ok(ClientFrame::React {
                on: true,
                seq: 3,
                ..
            })
        ));
        let f = decode(&format!(
            r#"{{"type":"resume","room":"{room}","after":17}}"#
        ));
        assert_eq!(f, Ok(ClientFrame::Resume { room, after: 17 }));
        assert_eq!(decode(r#"{"type":"ping"}"#), Ok(ClientFrame::Ping {}));
    }

    #[test]
    fn refuses_bad_frames_with_a_reason() {
        for bad in [
            "",
            "{",
            "null",
            "[]",
            r#"{"type":"send"}"#,
            r#"{"type":"nope"}"#,
            r#"{"type":"send","room":"x","text":"a"}"#,
            r#"{"type":"ping","extra":1}"#,
            r#"{"type":"read","room":"00000000-0000-0000-0000-000000000000","seq":1,"x":2}"#,
            r#"{"type":"read","room":"00000000-0000-0000-0000-000000000000","seq":"1"}"#,
        ] {
            let e = decode(bad).expect_err(bad);
            assert_eq!(e.close_code(), 1007, "{bad}");
            assert!(e.reason().len() <= 123);
        }
        let huge = format!(r#"{{"type":"ping","x":"{}"}}"#, "a".repeat(MAX_FRAME));
        assert_eq!(decode(&huge), Err(FrameError::TooLarge));
        let long = FrameError::Malformed("ä".repeat(200)).reason();
        assert!(long.len() <= 123);
    }

    proptest! {
        /// Whatever arrives, the decoder answers (no panic) and its reasons fit a close frame.
        #[test]
        fn any_text_decodes_or_fails_cleanly(s in ".{0,400}") {
            if let Err(e) = decode(&s) {
                prop_assert!(e.reason().len() <= 123);
            }
        }

        /// JSON-shaped noise around the real field names.
        #[test]
        fn json_noise_never_panics(
            kind in prop::sample::select(vec!["send", "edit", "delete", "react", "read", "typing", "resume", "ping", "x"]),
            seq in any::<i64>(),
            text in "\\PC{0,50}",
            room in "[0-9a-f-]{0,40}",
        ) {
            let frame = serde_json::json!({"type": kind, "room": room, "seq": seq, "text": text, "after": seq});
            let _ = decode(&frame.to_string());
        }

        /// Sends of any text round-trip exactly.
        #[test]
        fn send_round_trips(text in "\\PC{0,200}", reply in proptest::option::of(any::<i64>())) {
            let room = RoomId::new();
            let frame = serde_json::json!({"type": "send", "room": room, "text": text, "reply_to": reply});
            prop_assert_eq!(
                decode(&frame.to_string()),
                Ok(ClientFrame::Send { room, text: text.clone(), reply_to: reply, reference: None })
            );
        }
    }
}
