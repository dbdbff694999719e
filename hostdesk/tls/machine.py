"""HostDesk's own certificate for this machine: issued, kept in the config folder, renewed.

Renewal keeps the key, so the SubjectPublicKeyInfo pin (`spki_sha256_b64`) that viewers or
tests trust survives a renewal; only the certificate's fingerprint changes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import re
import socket
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hostdesk.paths import private_dir
from hostdesk.tls.certificate import (
    Certificate,
    TlsError,
    bare_host,
    covers,
    describe,
    ip_address_of,
    spki,
    utc,
    why,
)

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
    now = utc(now)
    names, ips = _wanted(hosts)
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise TlsError(f"HostDesk cannot create the folder {folder}: {why(e)}.") from e
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
    made = describe(cert_path, key_path, leaf, generated=True)
    logger.info(
        "issued a certificate for this machine",
        extra={
            "path": cert_path,
            "fingerprint": made.fingerprint_sha256,
            "not_after": made.not_after.isoformat(),
        },
    )
    return made


def _wanted(hosts: Sequence[str]) -> tuple[list[str], list[str]]:
    """The names and IP addresses the machine certificate must cover, without duplicates."""
    names: list[str] = []
    ips: list[str] = []

    def add(host: str, *, requested: bool) -> None:
        host = bare_host(host)
        if not host:
            return
        ip = ip_address_of(host)
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
        if spki(leaf.public_key()) != spki(key.public_key()):
            return None
        return leaf, describe(cert_path, key_path, leaf, generated=True)
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
        raise TlsError(f"HostDesk cannot write {path}: {why(e)}.") from e
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
        raise TlsError(f"HostDesk cannot write {path}: {why(e)}.") from e


def _keep_private(key_path: Path) -> None:
    """Tighten a reused key file that someone made readable by others."""
    try:
        if os.name == "posix" and key_path.stat().st_mode & 0o077:
            key_path.chmod(0o600)
    except OSError:
        logger.warning("cannot make the machine key private", extra={"path": key_path})
