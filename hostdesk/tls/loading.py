"""The host's own certificate and key, loaded from their files, and serving a certificate.

Every problem a host can cause (a missing file, a key that is not the certificate's, an expired
certificate, ...) is a `TlsError` naming the file and what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from hostdesk.tls.certificate import (
    Certificate,
    TlsError,
    certificate_spki,
    day,
    describe,
    spki,
    utc,
    why,
)

# Key types OpenSSL can sign a TLS handshake with.
_SIGNING_KEYS = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)


def load_certificate(
    cert_file: Path, key_file: Path, *, now: dt.datetime | None = None
) -> Certificate:
    """The host's own certificate (PEM; a chain with the server's certificate first) and key.

    Raises TlsError, naming the file and what is wrong with it, when a file is missing or
    unreadable, is not PEM, is encrypted, when the key is not the certificate's, or when the
    certificate has expired or is not valid yet.
    """
    now = utc(now)
    leaf = _check_pair(cert_file, key_file)
    if now > leaf.not_valid_after_utc:
        raise TlsError(
            f"The TLS certificate {cert_file} expired on {day(leaf.not_valid_after_utc)}."
        )
    if now < leaf.not_valid_before_utc:
        raise TlsError(
            f"The TLS certificate {cert_file} is not valid before "
            f"{day(leaf.not_valid_before_utc)}: check this computer's date and time."
        )
    return describe(cert_file, key_file, leaf, generated=False)


def server_context(cert: Certificate) -> ssl.SSLContext:
    """A TLS 1.2+ server context serving `cert` (the whole chain in its file)."""

    def no_passphrase() -> bytes:
        # Without a callback OpenSSL would prompt on the terminal and block the app.
        raise _passphrase_error(cert.key_path)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert.cert_path, cert.key_path, password=no_passphrase)
    except (ssl.SSLError, OSError) as e:
        # OpenSSL says "PEM lib" and Python does not name the missing file: find out which
        # file is wrong and how, the way load_certificate would say it.
        _check_pair(cert.cert_path, cert.key_path)
        raise TlsError(
            f"The TLS certificate {cert.cert_path} with the key {cert.key_path} cannot be used "
            f"({getattr(e, 'reason', None) or why(e)})."
        ) from e
    return context


def _check_pair(cert_file: Path, key_file: Path) -> x509.Certificate:
    """The server's certificate in `cert_file` once both files load and are a pair."""
    chain = _parse_certificates(_read(cert_file, "certificate"), cert_file)
    key = _parse_key(_read(key_file, "key"), key_file)
    key_spki = spki(key.public_key())
    leaf = chain[0]
    if certificate_spki(leaf, cert_file) != key_spki:
        if any(certificate_spki(c, cert_file) == key_spki for c in chain[1:]):
            raise TlsError(
                f"The TLS certificate file {cert_file} has its certificates in the wrong order: "
                f"the server's own one, the one for the key {key_file}, must come first."
            )
        raise TlsError(
            f"The TLS key {key_file} does not match the certificate {cert_file}: "
            "they are not a pair."
        )
    return leaf


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise TlsError(f"The TLS {what} file {path} does not exist.") from e
    except IsADirectoryError as e:
        raise TlsError(f"The TLS {what} file {path} is a folder, not a file.") from e
    except OSError as e:
        raise TlsError(f"The TLS {what} file {path} cannot be read: {why(e)}.") from e


def _parse_certificates(data: bytes, path: Path) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" not in data:
        if b"PRIVATE KEY-----" in data:
            raise TlsError(
                f"The TLS certificate file {path} holds a private key, not a certificate: "
                "are the certificate and the key swapped?"
            )
        if _is_der_certificate(data):
            raise TlsError(
                f"The TLS certificate file {path} is in DER form, not PEM: convert it with "
                f"`openssl x509 -inform der -in {path} -out cert.pem`."
            )
        raise TlsError(
            f"The TLS certificate file {path} is not a PEM certificate "
            "(it has no -----BEGIN CERTIFICATE----- line)."
        )
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as e:
        raise TlsError(
            f"The TLS certificate file {path} is not a valid PEM certificate: "
            "it is damaged or cut short."
        ) from e


def _is_der_certificate(data: bytes) -> bool:
    try:
        x509.load_der_x509_certificate(data)
    except ValueError:
        return False
    return True


def _parse_key(data: bytes, path: Path) -> PrivateKeyTypes:
    if b"PRIVATE KEY-----" not in data:
        if b"-----BEGIN CERTIFICATE-----" in data:
            raise TlsError(
                f"The TLS key file {path} holds a certificate, not a private key: "
                "are the certificate and the key swapped?"
            )
        raise TlsError(
            f"The TLS key file {path} is not a PEM private key "
            "(it has no -----BEGIN ... PRIVATE KEY----- line)."
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as e:  # cryptography's way of saying "encrypted, and no password"
        raise _passphrase_error(path) from e
    except UnsupportedAlgorithm as e:
        raise TlsError(f"The TLS key {path} is of a kind this computer cannot use.") from e
    except ValueError as e:
        raise TlsError(
            f"The TLS key file {path} is not a valid PEM private key: it is damaged or cut short."
        ) from e
    if not isinstance(key, _SIGNING_KEYS):
        raise TlsError(
            f"The TLS key {path} cannot sign: a TLS server needs an RSA, ECDSA or Ed25519 key."
        )
    return key


def _passphrase_error(path: Path) -> TlsError:
    return TlsError(
        f"The TLS key {path} is protected by a passphrase: HostDesk needs it without one "
        f"(`openssl pkey -in {path} -out key.pem` removes it)."
    )
