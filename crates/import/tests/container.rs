//! Uploads in containers: ZIP (AES, ZipCrypto, plain), gzip, and broken ones.

mod common;

use std::io::{Cursor, Write};

use common::{fixture, read_bytes, read_err};
use schulhof_import::{Format, ReadOptions};
use schulhof_types::AccountType;
use zip::unstable::write::FileOptionsExt;
use zip::write::SimpleFileOptions;
use zip::{AesMode, CompressionMethod, ZipWriter};

#[derive(Clone, Copy)]
enum Encryption {
    None,
    Aes,
    ZipCrypto,
}

fn zip_of(files: &[(&str, &[u8])], crypto: Encryption, password: &str) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let options = match crypto {
        Encryption::None => base,
        Encryption::Aes => base.with_aes_encryption(AesMode::Aes256, password),
        Encryption::ZipCrypto => base
            .with_deprecated_encryption(password.as_bytes())
            .expect("writes"),
    };
    for (name, content) in files {
        zip.start_file(*name, options).expect("writes");
        zip.write_all(content).expect("writes");
    }
    zip.finish().expect("writes").into_inner()
}

fn example() -> Vec<u8> {
    std::fs::read(fixture("schild_example.xml")).expect("fixture")
}

fn with_password(p: &str) -> ReadOptions {
    ReadOptions {
        zip_password: Some(p.into()),
        ..ReadOptions::default()
    }
}

#[test]
fn reads_encrypted_zips_with_the_right_password() {
    for crypto in [Encryption::Aes, Encryption::ZipCrypto, Encryption::None] {
        let bytes = zip_of(
            &[("readme.txt", b"hi"), ("Export.XML", &example())],
            crypto,
            "geheim",
        );
        let data = read_bytes(&bytes, Format::Schild, &with_password("geheim")).expect("reads");
        assert_eq!(data.persons.len(), 3);
    }
}

#[test]
fn a_wrong_password_is_reported_as_such() {
    for crypto in [Encryption::Aes, Encryption::ZipCrypto] {
        let bytes = zip_of(&[("schild.xml", &example())], crypto, "geheim");
        // ZipCrypto's one-byte check lets about one wrong password in 256 through: try enough
        // that some do, and they must still be reported as wrong, not as broken XML.
        let n = if matches!(crypto, Encryption::ZipCrypto) {
            1000
        } else {
            5
        };
        let file = common::temp_file(&bytes);
        for i in 0..n {
            let wrong = format!("falsch{i}");
            let e = schulhof_import::read_file(file.path(), Format::Schild, &with_password(&wrong))
                .expect_err("must fail");
            assert!(
                e.message.starts_with("wrong ZIP password"),
                "{wrong}: {}",
                e.message
            );
        }
    }
}

#[test]
fn an_encrypted_zip_without_password_asks_for_it() {
    for crypto in [Encryption::Aes, Encryption::ZipCrypto] {
        let bytes = zip_of(&[("schild.xml", &example())], crypto, "geheim");
        let e = read_err(&bytes, Format::Schild, &ReadOptions::default());
        assert_eq!(
            e.message,
            "the ZIP file is password-protected: give its password"
        );
    }
}

#[test]
fn a_truncated_zip_is_reported() {
    let bytes = zip_of(&[("schild.xml", &example())], Encryption::Aes, "geheim");
    let e = read_err(
        &bytes[..bytes.len() / 2],
        Format::Schild,
        &with_password("geheim"),
    );
    assert!(
        e.message
            .starts_with("the ZIP file is truncated or corrupt"),
        "{}",
        e.message
    );
    let e = read_err(b"PK\x03\x04", Format::Schild, &ReadOptions::default());
    assert!(
        e.message
            .starts_with("the ZIP file is truncated or corrupt"),
        "{}",
        e.message
    );
}

#[test]
fn a_zip_without_a_matching_entry_lists_what_it_holds() {
    let bytes = zip_of(
        &[("__MACOSX/._x.xml", b"junk"), ("notes.txt", b"hi")],
        Encryption::None,
        "",
    );
    let e = read_err(&bytes, Format::Schild, &ReadOptions::default());
    assert_eq!(
        e.message,
        "the ZIP file contains no .xml file (it holds notes.txt)"
    );
}

#[test]
fn an_empty_file_is_reported() {
    for format in [Format::Schild, Format::Table, Format::Svws] {
        let opts = ReadOptions {
            account_type: Some(AccountType::Schueler),
            ..ReadOptions::default()
        };
        assert_eq!(read_err(b"", format, &opts).message, "the file is empty");
    }
}

#[test]
fn reads_gzip_and_reports_a_truncated_one() {
    let json = std::fs::read(fixture("svws_export.json")).expect("fixture");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json).expect("writes");
    let gz = gz.finish().expect("writes");
    let data = read_bytes(&gz, Format::Svws, &ReadOptions::default()).expect("reads");
    assert_eq!(data.persons.len(), 5);
    let e = read_err(&gz[..gz.len() - 20], Format::Svws, &ReadOptions::default());
    assert!(
        e.message.contains("gzip file is truncated or corrupt"),
        "{}",
        e.message
    );
}

#[test]
fn reads_tables_inside_encrypted_zips() {
    let opts = ReadOptions {
        zip_password: Some("pw".into()),
        account_type: Some(AccountType::Lehrer),
        ..ReadOptions::default()
    };
    let csv = std::fs::read(fixture("table_comma_cp1252.csv")).expect("fixture");
    let xlsx = std::fs::read(fixture("table.xlsx")).expect("fixture");
    let bytes = zip_of(&[("lehrer.csv", &csv)], Encryption::Aes, "pw");
    assert_eq!(
        read_bytes(&bytes, Format::Table, &opts)
            .expect("reads")
            .persons
            .len(),
        3
    );
    let bytes = zip_of(&[("lehrer.xlsx", &xlsx)], Encryption::ZipCrypto, "pw");
    assert_eq!(
        read_bytes(&bytes, Format::Table, &opts)
            .expect("reads")
            .persons
            .len(),
        3
    );
    let e = read_err(
        &bytes,
        Format::Table,
        &ReadOptions {
            zip_password: Some("nope".into()),
            ..opts
        },
    );
    assert!(e.message.starts_with("wrong ZIP password"), "{}", e.message);
}
