"""What a certificate is to HostDesk: its description, whom it covers, and the errors.

Shared by both ways of getting one (`machine`: HostDesk issues it; `loading`: the host brings
it): the `Certificate` record, `covers` (a browser's SubjectAltName check), and the small
helpers both sides use to read keys, dates, hosts and OS errors the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa


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


def covers(cert: Certificate, host: str) -> bool:
    """Whether a browser would accept `cert` for `host` (a name or IP literal, brackets ok).

    Only the SubjectAltName counts, as in browsers; a `*.` name matches one label.
    """
    host = bare_host(host)
    ip = ip_address_of(host)
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


def describe(
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
            hashlib.sha256(certificate_spki(leaf, cert_path)).digest()
        ).decode("ascii"),
        not_after=leaf.not_valid_after_utc,
        dns_names=dns_names,
        ip_addresses=ips,
        generated=generated,
    )


def spki(public_key: object) -> bytes:
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


def certificate_spki(cert: x509.Certificate, path: Path) -> bytes:
    try:
        return spki(cert.public_key())
    except (ValueError, UnsupportedAlgorithm) as e:
        raise TlsError(
            f"The TLS certificate {path} has a key of a kind HostDesk cannot use."
        ) from e


def utc(now: dt.datetime | None) -> dt.datetime:
    # Whole seconds: that is all a certificate's dates hold, so comparisons stay exact.
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(dt.UTC).replace(microsecond=0)


def bare_host(host: str) -> str:
    """`host` as certificates spell it: no brackets, no trailing dot, lower case."""
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".").lower()


def ip_address_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        # A scope (fe80::1%eth0) means something on this machine only; a certificate has none.
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def day(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC")


def why(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    return (e.strerror or str(e)).lower()
