//! TLS for the mail protocols (SMTP STARTTLS, IMAP): the operator's certificate, or a
//! self-signed one made on first start in the data directory, so STARTTLS works on a laptop.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Certificate flags shared by SMTP and IMAP.
#[derive(Args, Clone, Debug, Default)]
pub struct TlsArgs {
    /// TLS certificate chain (PEM) for SMTP and IMAP; default: a self-signed certificate
    /// created in the data directory (`tls/`) on first start.
    #[arg(long, env = "SCHULHOF_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(long, env = "SCHULHOF_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
}

impl TlsArgs {
    pub fn server_config(&self, data_dir: &Path) -> anyhow::Result<Arc<ServerConfig>> {
        server_tls(self.tls_cert.as_deref(), self.tls_key.as_deref(), data_dir)
    }
}

/// The TLS server configuration from `cert` and `key` (PEM files), or from the self-signed
/// pair in `data_dir/tls/`, created if missing.
pub fn server_tls(
    cert: Option<&Path>,
    key: Option<&Path>,
    data_dir: &Path,
) -> anyhow::Result<Arc<ServerConfig>> {
    let given = cert.is_some();
    let (chain, key) = match (cert, key) {
        (Some(c), Some(k)) => load(c, k)?,
        (None, None) => self_signed(data_dir)?,
        _ => bail!("--tls-cert and --tls-key must be given together"),
    };
    // The operator learns which flag to fix; the self-signed pair is the server's own.
    let mismatch = if given {
        "--tls-key is not the private key of the certificate in --tls-cert"
    } else {
        "the TLS certificate does not match its key"
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context(mismatch)?;
    Ok(Arc::new(config))
}

type Pair = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn load(cert: &Path, key: &Path) -> anyhow::Result<Pair> {
    // Every message names the flag (`--tls-cert`/`--tls-key`) the operator has to fix.
    let chain = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("--tls-cert: cannot read {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--tls-cert: bad PEM in {}", cert.display()))?;
    if chain.is_empty() {
        bail!("--tls-cert: no certificate in {}", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("--tls-key: no usable private key in {}", key.display()))?;
    Ok((chain, key))
}

/// The self-signed pair of the data directory; made once, then reused (clients that pinned
/// it keep working after a restart).
fn self_signed(data_dir: &Path) -> anyhow::Result<Pair> {
    let dir = data_dir.join("tls");
    let cert = dir.join("self-signed.crt");
    let key = dir.join("self-signed.key");
    if !cert.exists() || !key.exists() {
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        let made = rcgen::generate_simple_self_signed(names)
            .context("cannot create a self-signed certificate")?;
        write_private(&key, made.signing_key.serialize_pem().as_bytes())?;
        write_private(&cert, made.cert.pem().as_bytes())?;
        tracing::info!(
            "created a self-signed TLS certificate in {} (use --tls-cert/--tls-key in production)",
            dir.display()
        );
    }
    load(&cert, &key)
}

/// Writes a file readable by the owner only, whole or not at all.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_made_once_and_reused() {
        let dir = tempfile::tempdir().expect("temp dir");
        server_tls(None, None, dir.path()).expect("first start");
        let cert = fs::read(dir.path().join("tls/self-signed.crt")).expect("cert");
        server_tls(None, None, dir.path()).expect("second start");
        assert_eq!(
            fs::read(dir.path().join("tls/self-signed.crt")).expect("cert"),
            cert
        );
        let c = dir.path().join("tls/self-signed.crt");
        let k = dir.path().join("tls/self-signed.key");
        server_tls(Some(&c), Some(&k), dir.path()).expect("given files");
        assert!(server_tls(Some(&c), None, dir.path()).is_err());
        assert!(server_tls(Some(&k), Some(&k), dir.path()).is_err());
    }
}
