//! The operator's settings: a provider without its URL or secret is refused at start with
//! the flag to set; secrets never show in logs.

use std::time::Duration;

use schulhof_domain::conference_external::{
    BbbConfig, ChecksumAlg, ConferenceProvider, ExternalError, JitsiConfig, ProviderSettings,
};

fn config_error(s: &ProviderSettings<'_>) -> String {
    match s.build() {
        Err(ExternalError::Config(m)) => m,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn builtin_is_the_default() {
    let p = ProviderSettings::default().build().expect("builtin");
    assert!(matches!(p, ConferenceProvider::Builtin));
    assert!(!p.is_external());
    let p = ProviderSettings {
        provider: "builtin",
        bbb_url: Some("https://ignored.example.org/"),
        ..Default::default()
    };
    assert!(matches!(p.build(), Ok(ConferenceProvider::Builtin)));
}

#[test]
fn a_provider_without_its_url_or_secret_names_the_flag() {
    let bbb = ProviderSettings {
        provider: "bbb",
        bbb_secret: Some("0123456789abcdef"),
        ..Default::default()
    };
    assert!(config_error(&bbb).contains("--bbb-url"));
    let bbb = ProviderSettings {
        provider: "bbb",
        bbb_url: Some("https://bbb.example.org/bigbluebutton/"),
        bbb_secret: Some("  "),
        ..Default::default()
    };
    assert!(config_error(&bbb).contains("--bbb-secret"));
    let jitsi = ProviderSettings {
        provider: "jitsi",
        jitsi_url: Some("https://meet.example.org"),
        jitsi_secret: Some("0123456789abcdef"),
        ..Default::default()
    };
    assert!(config_error(&jitsi).contains("--jitsi-app-id"));
    let jitsi = ProviderSettings {
        provider: "jitsi",
        jitsi_url: Some("https://meet.example.org"),
        jitsi_app_id: Some("schulhof"),
        ..Default::default()
    };
    assert!(config_error(&jitsi).contains("--jitsi-secret"));
    let unknown = ProviderSettings {
        provider: "zoom",
        ..Default::default()
    };
    assert!(config_error(&unknown).contains("unknown conference provider"));
}

#[test]
fn bad_values_are_refused() {
    let base = ProviderSettings {
        provider: "bbb",
        bbb_url: Some("https://bbb.example.org/bigbluebutton/"),
        bbb_secret: Some("0123456789abcdef"),
        ..Default::default()
    };
    assert!(
        config_error(&ProviderSettings {
            bbb_checksum: Some("md5"),
            ..base.clone()
        })
        .contains("md5")
    );
    assert!(
        config_error(&ProviderSettings {
            bbb_url: Some("ftp://bbb.example.org/"),
            ..base.clone()
        })
        .contains("http")
    );
    assert!(
        config_error(&ProviderSettings {
            bbb_url: Some("bbb.example.org"),
            ..base.clone()
        })
        .contains("not a URL")
    );
    assert!(
        config_error(&ProviderSettings {
            bbb_secret: Some("short"),
            ..base.clone()
        })
        .contains("8 characters")
    );
    let ok = ProviderSettings {
        bbb_checksum: Some("SHA-256"),
        ..base.clone()
    }
    .build()
    .expect("sha256");
    match ok {
        ConferenceProvider::BigBlueButton(c) => assert_eq!(c.checksum, ChecksumAlg::Sha256),
        other => panic!("{other:?}"),
    }
    let jitsi = ProviderSettings {
        provider: "jitsi",
        jitsi_url: Some("https://meet.example.org/a/b"),
        jitsi_app_id: Some("schulhof"),
        jitsi_secret: Some("0123456789abcdef"),
        ..Default::default()
    };
    assert!(config_error(&jitsi).contains("tenant"));
    let short_ttl = ProviderSettings {
        jitsi_url: Some("https://meet.example.org"),
        jitsi_ttl_secs: Some(5),
        ..jitsi
    };
    assert!(config_error(&short_ttl).contains("lifetime"));
}

#[test]
fn urls_are_normalised_and_secrets_redacted() {
    for given in [
        "https://bbb.example.org/bigbluebutton/",
        "https://bbb.example.org/bigbluebutton",
        "https://bbb.example.org/bigbluebutton/api",
        "https://bbb.example.org/bigbluebutton/api/",
    ] {
        let c = BbbConfig::new(given, "very-secret-value", ChecksumAlg::Sha1).expect("url");
        assert_eq!(c.api.as_str(), "https://bbb.example.org/bigbluebutton/api/");
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
    }
    let j = JitsiConfig::new(
        "https://Meet.Example.org/",
        "schulhof",
        "very-secret-value",
        Duration::from_secs(600),
        None,
    )
    .expect("jitsi");
    assert_eq!(j.sub, "meet.example.org");
    assert!(!format!("{j:?}").contains("very-secret-value"));
    let j = JitsiConfig::new(
        "https://meet.example.org",
        "schulhof",
        "very-secret-value",
        Duration::from_secs(600),
        Some("meet.jitsi"),
    )
    .expect("jitsi");
    assert_eq!(j.sub, "meet.jitsi");
}
