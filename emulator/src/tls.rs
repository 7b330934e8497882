//! Optional TLS for the server (`--tls-cert`/`--tls-key`, or a self-signed
//! certificate generated on request): SDK defaults and some tools expect
//! `https://`. rustls with the aws-lc-rs provider the SDK already uses.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls::ServerConfig;

/// A TLS server configuration (compared by identity: two are the same only if shared).
#[derive(Clone)]
pub struct Tls(pub Arc<ServerConfig>);

impl PartialEq for Tls {
    fn eq(&self, other: &Tls) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Tls {}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls(..)")
    }
}

fn invalid(what: &str, path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{what} {}: {e}", path.display()))
}

/// TLS with the certificate chain and private key in these PEM files.
pub fn from_pem_files(cert: &Path, key: &Path) -> io::Result<Tls> {
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| invalid("cannot read the certificate", cert, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid("cannot read the certificate", cert, e))?;
    if chain.is_empty() {
        return Err(invalid("no certificate in", cert, "expected a PEM CERTIFICATE block"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| invalid("cannot read the private key", key, e))?;
    config(chain, key)
}

fn config(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> io::Result<Tls> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("TLS configuration: {e}")))?;
    // HTTP/1.1 only, as the server speaks.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls(Arc::new(config)))
}

/// A self-signed certificate for `localhost`, `127.0.0.1` and `::1`, kept in
/// `dir` (`cert.pem`, `key.pem`) so clients can be told to trust it
/// (`AWS_CA_BUNDLE=dir/cert.pem`); made once, reused on later starts.
pub fn self_signed(dir: &Path) -> io::Result<(Tls, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    if !cert_path.exists() || !key_path.exists() {
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
        let generated = rcgen::generate_simple_self_signed(names)
            .map_err(|e| io::Error::other(format!("cannot generate a certificate: {e}")))?;
        std::fs::write(&key_path, generated.key_pair.serialize_pem())?;
        std::fs::write(&cert_path, generated.cert.pem())?;
    }
    Ok((from_pem_files(&cert_path, &key_path)?, cert_path))
}
