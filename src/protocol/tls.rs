//! AutoMTLS as go-plugin does it: a fresh self-signed server certificate per
//! run, and a client certificate pinned to the exact bytes the host passed in
//! `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is ECDSA P-521, self-signed and marked CA,
//! which webpki's path building rejects as an end entity; pinning its DER and
//! checking the handshake signature with aws-lc-rs (which verifies P-521) is
//! both stricter and simpler than a chain check.
//!
//! Everything else on this channel uses *ring*: the server key is generated
//! and the certificate signed with it, and the TLS handshake (key exchange,
//! record protection, our signature) runs on ring's rustls provider, with
//! randomness straight from the operating system. aws-lc seeds its own random
//! generator on first use, which costs tens of milliseconds of CPU-jitter
//! entropy collection; the handshake line is on Terraform's critical path, and
//! the AWS SDK (which uses aws-lc) is not needed until ConfigureProvider.
//! Signature verification needs no randomness, so the aws-lc verifier does not
//! trigger that seeding. Both providers are passed explicitly; the process
//! default provider of rustls is never used.

use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_ASN1_SIGNING};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::{self, PemObject as _};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// Errors while preparing TLS for the plugin channel.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` did not hold a PEM certificate.
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate")]
    NoClientCertificate,
    /// The PEM text is malformed (a section without its end line, bad base64).
    #[error("PLUGIN_CLIENT_CERT could not be read as PEM: {0}")]
    Pem(pem::Error),
    /// The first `CERTIFICATE` section does not hold an X.509 certificate.
    #[error(
        "PLUGIN_CLIENT_CERT holds a CERTIFICATE block that is not a valid X.509 certificate: {0}"
    )]
    NotACertificate(rustls::Error),
    /// Generating the server certificate failed.
    #[error("generating the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// Generating or loading the server key failed.
    #[error("generating the server key: {0}")]
    Key(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server side of one run: its certificate (DER) and private key.
pub(super) struct ServerIdentity {
    /// DER of the self-signed certificate; its base64 goes into the handshake line.
    pub(super) cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl ServerIdentity {
    /// Generates a P-256 self-signed certificate for `localhost`, marked CA
    /// (the host uses it as its only root) and valid for server and client
    /// authentication, like go-plugin's own.
    pub(super) fn generate() -> Result<Self, TlsError> {
        let signer = RingP256::generate()?;
        let key_der = signer.pkcs8.clone();
        // rcgen derives these from digests of its own backend; without one,
        // they are ours: a random 128-bit serial (as go-plugin's) and the
        // subject key identifier of RFC 7093, method 1.
        let mut serial = [0u8; 16];
        ring::rand::SecureRandom::fill(&signer.rng, &mut serial)
            .map_err(|e| TlsError::Key(e.to_string()))?;
        serial[0] &= 0x7f;
        let ski = ring::digest::digest(&ring::digest::SHA256, signer.key.public_key().as_ref());
        let key = rcgen::KeyPair::from_remote(Box::new(signer))?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        params.key_identifier_method =
            rcgen::KeyIdMethod::PreSpecified(ski.as_ref().iter().take(20).copied().collect());
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, "localhost");
        dn.push(
            rcgen::DnType::OrganizationName,
            "terraform-provider-replication",
        );
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
            key_der,
        })
    }
}

/// A P-256 key generated and used by *ring*, so that signing the certificate
/// does not go through rcgen's own backend (aws-lc when its feature is on).
struct RingP256 {
    pkcs8: Vec<u8>,
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl RingP256 {
    fn generate() -> Result<Self, TlsError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .map_err(|e| TlsError::Key(e.to_string()))?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|e| TlsError::Key(e.to_string()))?;
        Ok(Self {
            pkcs8: pkcs8.as_ref().to_vec(),
            key,
            rng,
        })
    }
}

impl rcgen::RemoteKeyPair for RingP256 {
    fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.key
            .sign(&self.rng, msg)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

/// Parses the PEM the host passes in `PLUGIN_CLIENT_CERT` into DER: the
/// first `CERTIFICATE` section (sections of other kinds are skipped), which
/// must parse as an X.509 certificate (the handshake checks the client's
/// signature against it).
pub(super) fn client_cert_from_pem(text: &str) -> Result<CertificateDer<'static>, TlsError> {
    let cert = CertificateDer::from_pem_slice(text.as_bytes()).map_err(|e| match e {
        pem::Error::NoItemsFound => TlsError::NoClientCertificate,
        other => TlsError::Pem(other),
    })?;
    ParsedCertificate::try_from(&cert).map_err(TlsError::NotACertificate)?;
    Ok(cert)
}

/// The crypto provider of the plugin channel: *ring*, OS randomness.
pub(super) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The algorithms the client's handshake signature is checked with: aws-lc-rs,
/// because ring cannot verify ECDSA P-521 (Terraform's client key).
pub(super) fn verification_algorithms() -> WebPkiSupportedAlgorithms {
    rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms
}

/// Builds the server configuration: our identity, the pinned client, ALPN h2.
pub(super) fn server_config(
    identity: &ServerIdentity,
    client: CertificateDer<'static>,
) -> Result<rustls::ServerConfig, TlsError> {
    let crypto = provider();
    let verifier = Arc::new(PinnedClient {
        pinned: client,
        algorithms: verification_algorithms(),
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
    algorithms: WebPkiSupportedAlgorithms,
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
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn pem_section(label: &str, der: &[u8]) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn client_certificate_is_the_first_certificate_section() {
        let id = ServerIdentity::generate().unwrap();
        let text = format!(
            "{}{}",
            pem_section("PRIVATE KEY", &id.key_der),
            pem_section("CERTIFICATE", &id.cert_der)
        );
        let cert = client_cert_from_pem(&text).unwrap();
        assert_eq!(cert.as_ref(), id.cert_der.as_slice());
    }

    #[test]
    fn client_certificate_missing_or_malformed_is_an_error() {
        assert!(matches!(
            client_cert_from_pem(""),
            Err(TlsError::NoClientCertificate)
        ));
        assert!(matches!(
            client_cert_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n"),
            Err(TlsError::Pem(_))
        ));
        let junk = pem_section("CERTIFICATE", b"not DER at all");
        let err = client_cert_from_pem(&junk).unwrap_err();
        assert!(matches!(err, TlsError::NotACertificate(_)), "{err:?}");
        assert!(err.to_string().contains("PLUGIN_CLIENT_CERT"), "{err}");
    }

    #[test]
    fn verify_schemes_include_p521_for_terraforms_client_certificate() {
        let schemes = verification_algorithms().supported_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "{schemes:?}"
        );
    }

    #[test]
    fn server_identity_builds_a_config_with_alpn_h2() {
        let id = ServerIdentity::generate().unwrap();
        let client = ServerIdentity::generate().unwrap();
        let cfg = server_config(&id, CertificateDer::from(client.cert_der)).unwrap();
        assert_eq!(cfg.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn server_certificate_has_a_serial_and_a_key_identifier() {
        let id = ServerIdentity::generate().unwrap();
        let other = ServerIdentity::generate().unwrap();
        assert_ne!(id.cert_der, other.cert_der);
        // The key loads into the provider that signs our side of the handshake.
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone()));
        provider().key_provider.load_private_key(key).unwrap();
        // subjectKeyIdentifier (2.5.29.14) with a 20-byte OCTET STRING.
        let ski = [0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14];
        assert!(
            id.cert_der.windows(ski.len()).any(|w| w == ski),
            "no 20-byte subject key identifier"
        );
    }

    #[test]
    fn pinned_verifier_refuses_other_certificates() {
        let a = ServerIdentity::generate().unwrap();
        let b = ServerIdentity::generate().unwrap();
        let v = PinnedClient {
            pinned: CertificateDer::from(a.cert_der.clone()),
            algorithms: verification_algorithms(),
        };
        let now = UnixTime::now();
        assert!(v
            .verify_client_cert(&CertificateDer::from(a.cert_der), &[], now)
            .is_ok());
        assert!(v
            .verify_client_cert(&CertificateDer::from(b.cert_der), &[], now)
            .is_err());
    }
}
