//! AutoMTLS as go-plugin does it: a fresh self-signed server certificate per
//! run, and a client certificate pinned to the exact bytes the host passed in
//! `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is ECDSA P-521, self-signed and marked CA,
//! which webpki's path building rejects as an end entity; pinning its DER and
//! checking the handshake signature with aws-lc-rs (which verifies P-521) is
//! both stricter and simpler than a chain check.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// Errors while preparing TLS for the plugin channel.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` did not hold a PEM certificate.
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate")]
    NoClientCertificate,
    /// Reading the PEM text failed.
    #[error("PLUGIN_CLIENT_CERT could not be read: {0}")]
    Pem(#[from] std::io::Error),
    /// Generating the server certificate failed.
    #[error("generating the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server side of one run: its certificate (DER) and private key.
pub struct ServerIdentity {
    /// DER of the self-signed certificate; its base64 goes into the handshake line.
    pub cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl ServerIdentity {
    /// Generates a P-256 self-signed certificate for `localhost`, marked CA
    /// (the host uses it as its only root) and valid for server and client
    /// authentication, like go-plugin's own.
    pub fn generate() -> Result<Self, TlsError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, "localhost");
        dn.push(rcgen::DnType::OrganizationName, "terraform-provider-replication");
        params.distinguished_name = dn;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::seconds(30);
        params.not_after = now + time::Duration::days(365 * 30);
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        })
    }
}

/// Parses the PEM the host passes in `PLUGIN_CLIENT_CERT` into DER.
pub fn client_cert_from_pem(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    let mut reader = std::io::BufReader::new(pem.as_bytes());
    let first = rustls_pemfile::certs(&mut reader).next();
    match first {
        Some(cert) => Ok(cert?),
        None => Err(TlsError::NoClientCertificate),
    }
}

/// The crypto provider used on both sides of our tests and in production.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Builds the server configuration: our identity, the pinned client, ALPN h2.
pub fn server_config(
    identity: &ServerIdentity,
    client: CertificateDer<'static>,
) -> Result<rustls::ServerConfig, TlsError> {
    let crypto = provider();
    let verifier = Arc::new(PinnedClient {
        pinned: client,
        crypto: crypto.clone(),
    });
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(crypto)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(identity.cert_der.clone())], key)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts exactly one client certificate, byte for byte, and checks that the
/// peer holds its private key (the handshake signature).
#[derive(Debug)]
struct PinnedClient {
    pinned: CertificateDer<'static>,
    crypto: Arc<CryptoProvider>,
}

impl ClientCertVerifier for PinnedClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.crypto.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.crypto.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.crypto.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_schemes_include_p521_for_terraforms_client_certificate() {
        let schemes = provider().signature_verification_algorithms.supported_schemes();
        assert!(schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512), "{schemes:?}");
    }

    #[test]
    fn server_identity_builds_a_config_with_alpn_h2() {
        let id = ServerIdentity::generate().unwrap();
        let client = ServerIdentity::generate().unwrap();
        let cfg = server_config(&id, CertificateDer::from(client.cert_der)).unwrap();
        assert_eq!(cfg.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn pinned_verifier_refuses_other_certificates() {
        let a = ServerIdentity::generate().unwrap();
        let b = ServerIdentity::generate().unwrap();
        let v = PinnedClient {
            pinned: CertificateDer::from(a.cert_der.clone()),
            crypto: provider(),
        };
        let now = UnixTime::now();
        assert!(v.verify_client_cert(&CertificateDer::from(a.cert_der), &[], now).is_ok());
        assert!(v.verify_client_cert(&CertificateDer::from(b.cert_der), &[], now).is_err());
    }
}
