"""TLS for the API and the viewer page: the host's own certificate, or one HostDesk makes.

Browsers give camera and microphone only to secure origins, so a viewer on another computer
must reach HostDesk over https. A host with a certificate of their own passes it in
(`load_certificate`); otherwise HostDesk issues a self-signed one for this machine's names and
addresses (`machine_certificate`), keeps it in its config folder and renews it before it
expires. Renewal keeps the key, so the SubjectPublicKeyInfo pin (`spki_sha256_b64`) that viewers
or tests trust survives a renewal; only the certificate's fingerprint changes.

Every problem a host can cause (a missing file, a key that is not the certificate's, an expired
certificate, ...) is a `TlsError` whose message is one sentence meant for the host.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import logging
import os
import re
import socket
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hostdesk.paths import private_dir

__all__ = [
    "CERT_FILE",
    "KEY_FILE",
    "RENEW_BEFORE",
    "VALIDITY",
    "Certificate",
    "TlsError",
    "covers",
    "default_folder",
    "load_certificate",
    "machine_certificate",
    "server_context",
]

logger = logging.getLogger("hostdesk.tls")

CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
#: Under Apple's 398-day limit for server certificates, even with the backdating below.
VALIDITY = dt.timedelta(days=365)
#: A certificate with less left than this is renewed at start, so a show never hits its end.
RENEW_BEFORE = dt.timedelta(days=30)
#: notBefore is backdated so that a viewer whose clock is behind still accepts a fresh one.
_CLOCK_SKEW = dt.timedelta(days=1)
_ALWAYS = ("localhost", "127.0.0.1", "::1")
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
# Key types OpenSSL can sign a TLS handshake with.
_SIGNING_KEYS = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)


class TlsError(ValueError):
    """A certificate or key that cannot be used; the message is one sentence for the host."""


@dataclass(frozen=True)
class Certificate:
    """A certificate and its key on disk, with what a host and viewers compare or check."""

    cert_path: Path
    key_path: Path
    #: SHA-256 of the DER certificate, "AB:CD:...", as browsers show it.
    fingerprint_sha256: str
    #: base64 of SHA-256 of the DER SubjectPublicKeyInfo: Chromium's
    #: --ignore-certificate-errors-spki-list, HPKP-style pins.
    spki_sha256_b64: str
    not_after: dt.datetime
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    #: True: HostDesk's own certificate for this machine; False: the host's.
    generated: bool


def default_folder() -> Path:
    """Where HostDesk keeps its machine certificate: `<config folder>/tls`, mode 0700."""
    return private_dir("tls")


def machine_certificate(
    folder: Path, hosts: Sequence[str], *, now: dt.datetime | None = None
) -> Certificate:
    """HostDesk's certificate for this machine, in `folder`, covering every host in `hosts`.

    `hosts` are names or IP literals (brackets allowed; wildcards such as 0.0.0.0 are skipped,
    a certificate cannot name them); localhost, 127.0.0.1, ::1 and this machine's hostname are
    always covered too. The certificate on disk is reused when it loads, matches the key,
    covers every host and has more than `RENEW_BEFORE` left; otherwise a new one is issued
    with the same key (a new ECDSA P-256 key only when key.pem is missing or unusable).
    """
    now = _utc(now)
    names, ips = _wanted(hosts)
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise TlsError(f"HostDesk cannot create the folder {folder}: {_why(e)}.") from e
    key = _own_key(key_path)
    if key is not None:
        current = _own_certificate(cert_path, key_path, key)
        if current is not None and _still_good(current, names, ips, now):
            _keep_private(key_path)
            return current[1]
    if key is None:
        key = ec.generate_private_key(ec.SECP256R1())
        _write(key_path, _key_pem(key), 0o600)
        logger.info("made a new key for this machine's certificate", extra={"path": key_path})
    leaf = _issue(key, names, ips, now)
    _write(cert_path, leaf.public_bytes(serialization.Encoding.PEM), 0o644)
    made = _describe(cert_path, key_path, leaf, generated=True)
    logger.info(
        "issued a certificate for this machine",
        extra={
            "path": cert_path,
            "fingerprint": made.fingerprint_sha256,
            "not_after": made.not_after.isoformat(),
        },
    )
    return made


def load_certificate(
    cert_file: Path, key_file: Path, *, now: dt.datetime | None = None
) -> Certificate:
    """The host's own certificate (PEM; a chain with the server's certificate first) and key.

    Raises TlsError, naming the file and what is wrong with it, when a file is missing or
    unreadable, is not PEM, is encrypted, when the key is not the certificate's, or when the
    certificate has expired or is not valid yet.
    """
    now = _utc(now)
    leaf = _check_pair(cert_file, key_file)
    if now > leaf.not_valid_after_utc:
        raise TlsError(
            f"The TLS certificate {cert_file} expired on {_day(leaf.not_valid_after_utc)}."
        )
    if now < leaf.not_valid_before_utc:
        raise TlsError(
            f"The TLS certificate {cert_file} is not valid before "
            f"{_day(leaf.not_valid_before_utc)}: check this computer's date and time."
        )
    return _describe(cert_file, key_file, leaf, generated=False)


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
            f"({getattr(e, 'reason', None) or _why(e)})."
        ) from e
    return context


def covers(cert: Certificate, host: str) -> bool:
    """Whether a browser would accept `cert` for `host` (a name or IP literal, brackets ok).

    Only the SubjectAltName counts, as in browsers; a `*.` name matches one label.
    """
    host = _bare(host)
    ip = _ip(host)
    if ip is not None:
        return str(ip) in cert.ip_addresses
    for pattern in cert.dns_names:
        if pattern == host:
            return True
        if pattern.startswith("*.") and "." in host:
            first, rest = host.split(".", 1)
            if first and rest == pattern[2:]:
                return True
    return False


# --- HostDesk's own certificate ------------------------------------------------------------


def _wanted(hosts: Sequence[str]) -> tuple[list[str], list[str]]:
    """The names and IP addresses the machine certificate must cover, without duplicates."""
    names: list[str] = []
    ips: list[str] = []

    def add(host: str, *, requested: bool) -> None:
        host = _bare(host)
        if not host:
            return
        ip = _ip(host)
        if ip is not None:
            if not ip.is_unspecified and str(ip) not in ips:
                ips.append(str(ip))
            return
        name = _dns_name(host)
        if name is None:
            if requested:
                raise TlsError(f"{host!r} is not a host name or an IP address.")
            return
        if name not in names:
            names.append(name)

    for host in hosts:
        add(host, requested=True)
    hostname = socket.gethostname()
    # A machine's own hostname may be anything its owner typed: skip it when unusable.
    for host in (*_ALWAYS, hostname):
        add(host, requested=False)
    # LAN viewers reach a machine by mDNS name (.local) where Bonjour/Avahi runs.
    if hostname and "." not in hostname:
        add(hostname + ".local", requested=False)
    return names, ips


def _own_key(path: Path) -> ec.EllipticCurvePrivateKey | None:
    """The machine key in key.pem, or None when there is none or it cannot be used."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm):
        logger.warning("the machine key cannot be read: making a new one", extra={"path": path})
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        logger.warning("the machine key is not ECDSA P-256: making a new one", extra={"path": path})
        return None
    return key


def _own_certificate(
    cert_path: Path, key_path: Path, key: ec.EllipticCurvePrivateKey
) -> tuple[x509.Certificate, Certificate] | None:
    """The certificate in cert.pem when it loads and is the key's, else None (re-issue)."""
    try:
        leaf = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        if _spki(leaf.public_key()) != _spki(key.public_key()):
            return None
        return leaf, _describe(cert_path, key_path, leaf, generated=True)
    except (OSError, ValueError, TlsError, UnsupportedAlgorithm):
        return None


def _still_good(
    current: tuple[x509.Certificate, Certificate],
    names: Sequence[str],
    ips: Sequence[str],
    now: dt.datetime,
) -> bool:
    leaf, cert = current
    return (
        leaf.not_valid_before_utc <= now
        and leaf.not_valid_after_utc - now > RENEW_BEFORE
        and all(covers(cert, host) for host in (*names, *ips))
    )


def _issue(
    key: ec.EllipticCurvePrivateKey, names: Sequence[str], ips: Sequence[str], now: dt.datetime
) -> x509.Certificate:
    # X.509 caps a common name at 64 characters; browsers ignore it anyway (the SAN counts).
    common_name = f"HostDesk on {socket.gethostname()}"[:64]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    public = key.public_key()
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` with `data` atomically: a crash leaves the old file or the new one."""
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise TlsError(f"HostDesk cannot write {path}: {_why(e)}.") from e
    try:
        # mkstemp made it 0600, so a key is never readable by others, not even for a moment.
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as e:
        Path(temp).unlink(missing_ok=True)
        raise TlsError(f"HostDesk cannot write {path}: {_why(e)}.") from e


def _keep_private(key_path: Path) -> None:
    """Tighten a reused key file that someone made readable by others."""
    try:
        if os.name == "posix" and key_path.stat().st_mode & 0o077:
            key_path.chmod(0o600)
    except OSError:
        logger.warning("cannot make the machine key private", extra={"path": key_path})


# --- The host's own certificate -------------------------------------------------------------


def _check_pair(cert_file: Path, key_file: Path) -> x509.Certificate:
    """The server's certificate in `cert_file` once both files load and are a pair."""
    chain = _parse_certificates(_read(cert_file, "certificate"), cert_file)
    key = _parse_key(_read(key_file, "key"), key_file)
    key_spki = _spki(key.public_key())
    leaf = chain[0]
    if _certificate_spki(leaf, cert_file) != key_spki:
        if any(_certificate_spki(c, cert_file) == key_spki for c in chain[1:]):
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
        raise TlsError(f"The TLS {what} file {path} cannot be read: {_why(e)}.") from e


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


def _certificate_spki(cert: x509.Certificate, path: Path) -> bytes:
    try:
        return _spki(cert.public_key())
    except (ValueError, UnsupportedAlgorithm) as e:
        raise TlsError(
            f"The TLS certificate {path} has a key of a kind HostDesk cannot use."
        ) from e


# --- Both ----------------------------------------------------------------------------------


def _describe(
    cert_path: Path, key_path: Path, leaf: x509.Certificate, *, generated: bool
) -> Certificate:
    try:
        alt = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(n.lower().rstrip(".") for n in alt.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in alt.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns_names, ips = (), ()
    except ValueError as e:
        raise TlsError(f"The TLS certificate {cert_path} has a damaged extension.") from e
    return Certificate(
        cert_path=cert_path,
        key_path=key_path,
        fingerprint_sha256=leaf.fingerprint(hashes.SHA256()).hex(":").upper(),
        spki_sha256_b64=base64.b64encode(
            hashlib.sha256(_certificate_spki(leaf, cert_path)).digest()
        ).decode("ascii"),
        not_after=leaf.not_valid_after_utc,
        dns_names=dns_names,
        ip_addresses=ips,
        generated=generated,
    )


def _spki(public_key: object) -> bytes:
    if not isinstance(
        public_key,
        (
            rsa.RSAPublicKey,
            ec.EllipticCurvePublicKey,
            ed25519.Ed25519PublicKey,
            ed448.Ed448PublicKey,
        ),
    ):
        raise ValueError("not a signing key")
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _utc(now: dt.datetime | None) -> dt.datetime:
    # Whole seconds: that is all a certificate's dates hold, so comparisons stay exact.
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(dt.UTC).replace(microsecond=0)


def _bare(host: str) -> str:
    """`host` as certificates spell it: no brackets, no trailing dot, lower case."""
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".").lower()


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        # A scope (fe80::1%eth0) means something on this machine only; a certificate has none.
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _dns_name(host: str) -> str | None:
    """`host` as an ASCII DNS name (IDNA for international names), or None if it is not one."""
    try:
        name = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    return name


def _day(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _why(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    return (e.strerror or str(e)).lower()
