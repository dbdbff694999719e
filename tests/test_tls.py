"""HostDesk's certificate for this machine, the host's own certificate, and the TLS they serve."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import os
import re
import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hostdesk import paths, tls
from hostdesk.tls import Certificate, TlsError

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _x509(cert: Certificate) -> x509.Certificate:
    return x509.load_pem_x509_certificate(cert.cert_path.read_bytes())


def _spki_pin(certificate: x509.Certificate) -> str:
    der = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


# --- HostDesk's certificate for this machine ---------------------------------------------------


def test_the_machine_certificate_names_every_requested_host_and_this_machine(
    tmp_path: Path,
) -> None:
    cert = tls.machine_certificate(
        tmp_path, ["192.168.1.20", "[fd00::2]", "Show.Example."], now=NOW
    )

    parsed = _x509(cert)
    alt = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = alt.get_values_for_type(x509.DNSName)
    ips = alt.get_values_for_type(x509.IPAddress)
    hostname = socket.gethostname().lower()
    assert {"show.example", "localhost", hostname} <= set(dns)
    assert set(ips) >= {
        ipaddress.ip_address(a) for a in ("192.168.1.20", "fd00::2", "127.0.0.1", "::1")
    }
    assert set(cert.dns_names) == set(dns)
    assert set(cert.ip_addresses) == {str(ip) for ip in ips}
    common_name = parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == f"HostDesk on {socket.gethostname()}"[:64]
    assert parsed.issuer == parsed.subject
    eku = parsed.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    public_key = parsed.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert isinstance(public_key.curve, ec.SECP256R1)
    assert parsed.not_valid_before_utc < NOW
    assert parsed.not_valid_after_utc == cert.not_after == NOW + dt.timedelta(days=365)
    assert cert.generated


def test_the_fingerprint_is_as_browsers_show_it_and_the_pin_is_chromiums_spki_hash(
    tmp_path: Path,
) -> None:
    cert = tls.machine_certificate(tmp_path, [], now=NOW)

    parsed = _x509(cert)
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", cert.fingerprint_sha256)
    der = parsed.public_bytes(serialization.Encoding.DER)
    assert cert.fingerprint_sha256.replace(":", "") == hashlib.sha256(der).hexdigest().upper()
    assert cert.spki_sha256_b64 == _spki_pin(parsed)


def test_a_wildcard_listen_address_is_not_put_in_the_certificate(tmp_path: Path) -> None:
    cert = tls.machine_certificate(tmp_path, ["0.0.0.0", "::", ""], now=NOW)

    assert "0.0.0.0" not in cert.ip_addresses
    assert "::" not in cert.ip_addresses


def test_a_requested_host_that_is_neither_a_name_nor_an_address_is_refused(
    tmp_path: Path,
) -> None:
    with pytest.raises(TlsError) as raised:
        tls.machine_certificate(tmp_path, ["my show"], now=NOW)

    assert str(raised.value) == "'my show' is not a host name or an IP address."


def test_the_machine_certificate_is_reused_while_it_covers_the_hosts_and_has_over_30_days_left(
    tmp_path: Path,
) -> None:
    first = tls.machine_certificate(tmp_path, ["192.168.1.20"], now=NOW)
    written = first.cert_path.read_bytes()

    again = tls.machine_certificate(tmp_path, ["192.168.1.20"], now=NOW + DAY)
    later = tls.machine_certificate(tmp_path, ["192.168.1.20"], now=NOW + 334 * DAY)

    assert again == first
    assert later.fingerprint_sha256 == first.fingerprint_sha256
    assert first.cert_path.read_bytes() == written


def test_a_certificate_with_30_days_or_less_left_is_renewed_with_the_same_key(
    tmp_path: Path,
) -> None:
    first = tls.machine_certificate(tmp_path, ["192.168.1.20"], now=NOW)
    key = first.key_path.read_bytes()

    renewed = tls.machine_certificate(tmp_path, ["192.168.1.20"], now=NOW + 335 * DAY)

    assert renewed.fingerprint_sha256 != first.fingerprint_sha256
    assert renewed.spki_sha256_b64 == first.spki_sha256_b64
    assert renewed.not_after == NOW + 335 * DAY + dt.timedelta(days=365)
    assert first.key_path.read_bytes() == key
    assert _spki_pin(_x509(renewed)) == first.spki_sha256_b64


def test_asking_for_a_host_the_certificate_does_not_cover_renews_it_with_the_same_key(
    tmp_path: Path,
) -> None:
    first = tls.machine_certificate(tmp_path, ["192.168.1.20"], now=NOW)

    renewed = tls.machine_certificate(tmp_path, ["10.0.0.5", "show.example"], now=NOW + DAY)

    assert renewed.fingerprint_sha256 != first.fingerprint_sha256
    assert renewed.spki_sha256_b64 == first.spki_sha256_b64
    assert tls.covers(renewed, "10.0.0.5")
    assert tls.covers(renewed, "show.example")


def test_a_clock_set_back_before_the_certificate_began_gets_a_new_certificate(
    tmp_path: Path,
) -> None:
    first = tls.machine_certificate(tmp_path, [], now=NOW)

    earlier = tls.machine_certificate(tmp_path, [], now=NOW - 7 * DAY)

    assert earlier.fingerprint_sha256 != first.fingerprint_sha256
    assert earlier.spki_sha256_b64 == first.spki_sha256_b64


def test_a_key_file_that_is_garbage_gets_a_new_key_and_a_certificate_for_it(
    tmp_path: Path,
) -> None:
    first = tls.machine_certificate(tmp_path, [], now=NOW)
    first.key_path.write_bytes(b"not a key at all\n")

    fresh = tls.machine_certificate(tmp_path, [], now=NOW + DAY)

    assert fresh.spki_sha256_b64 != first.spki_sha256_b64
    assert _spki_pin(_x509(fresh)) == fresh.spki_sha256_b64
    assert tls.load_certificate(fresh.cert_path, fresh.key_path, now=NOW + DAY).generated is False


def test_a_deleted_certificate_is_issued_again_for_the_key_that_is_there(tmp_path: Path) -> None:
    first = tls.machine_certificate(tmp_path, [], now=NOW)
    first.cert_path.unlink()

    again = tls.machine_certificate(tmp_path, [], now=NOW)

    assert again.spki_sha256_b64 == first.spki_sha256_b64


def test_the_key_file_is_readable_by_its_owner_only_and_is_made_so_again(tmp_path: Path) -> None:
    cert = tls.machine_certificate(tmp_path / "tls", [], now=NOW)

    assert stat.S_IMODE(cert.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "tls").stat().st_mode) == 0o700
    cert.key_path.chmod(0o644)
    tls.machine_certificate(tmp_path / "tls", [], now=NOW)
    assert stat.S_IMODE(cert.key_path.stat().st_mode) == 0o600


def test_writing_leaves_no_temporary_files_behind(tmp_path: Path) -> None:
    tls.machine_certificate(tmp_path, [], now=NOW)
    tls.machine_certificate(tmp_path, ["10.0.0.5"], now=NOW)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["cert.pem", "key.pem"]


def test_the_certificate_folder_is_tls_in_the_config_folder_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path / "config"))

    folder = tls.default_folder()

    assert folder == tmp_path / "config" / "tls"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"HOSTDESK_CONFIG": "/srv/hd"}, "linux", Path("/srv/hd")),
        ({"XDG_CONFIG_HOME": "/x"}, "linux", Path("/x/hostdesk")),
        ({"XDG_CONFIG_HOME": "relative"}, "linux", Path.home() / ".config" / "hostdesk"),
        ({}, "linux", Path.home() / ".config" / "hostdesk"),
        ({}, "darwin", Path.home() / "Library" / "Application Support" / "HostDesk"),
        ({"APPDATA": "/appdata"}, "win32", Path("/appdata") / "HostDesk"),
    ],
)
def test_the_config_folder_follows_the_override_then_the_platforms_convention(
    env: dict[str, str], platform: str, expected: Path
) -> None:
    assert paths.config_dir(env, platform) == expected


# --- The host's own certificate -------------------------------------------------------------


def _issue(
    folder: Path,
    name: str,
    *,
    not_before: dt.datetime = NOW - DAY,
    not_after: dt.datetime = NOW + 90 * DAY,
    issuer: tuple[x509.Name, rsa.RSAPrivateKey] | None = None,
) -> tuple[Path, Path, rsa.RSAPrivateKey, x509.Certificate]:
    """A certificate for `name` (signed by `issuer`, else self-signed) and its key, as PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = issuer or (subject, key)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path, key, certificate


def test_a_supplied_certificate_and_key_load_with_their_names(tmp_path: Path) -> None:
    cert_path, key_path, _, certificate = _issue(tmp_path, "show.example")

    cert = tls.load_certificate(cert_path, key_path, now=NOW)

    assert cert.dns_names == ("show.example",)
    assert cert.ip_addresses == ()
    assert cert.not_after == NOW + 90 * DAY
    assert cert.spki_sha256_b64 == _spki_pin(certificate)
    assert cert.generated is False


def test_a_supplied_chain_loads_when_the_servers_certificate_comes_first(tmp_path: Path) -> None:
    ca_path, _, ca_key, ca = _issue(tmp_path, "ca.example")
    leaf_path, key_path, _, _ = _issue(tmp_path, "show.example", issuer=(ca.subject, ca_key))
    chain = tmp_path / "chain.pem"
    chain.write_bytes(leaf_path.read_bytes() + ca_path.read_bytes())

    cert = tls.load_certificate(chain, key_path, now=NOW)

    assert cert.dns_names == ("show.example",)
    tls.server_context(cert)


def test_a_supplied_chain_in_the_wrong_order_says_so(tmp_path: Path) -> None:
    ca_path, _, ca_key, ca = _issue(tmp_path, "ca.example")
    leaf_path, key_path, _, _ = _issue(tmp_path, "show.example", issuer=(ca.subject, ca_key))
    chain = tmp_path / "chain.pem"
    chain.write_bytes(ca_path.read_bytes() + leaf_path.read_bytes())

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(chain, key_path, now=NOW)

    assert str(raised.value) == (
        f"The TLS certificate file {chain} has its certificates in the wrong order: the server's "
        f"own one, the one for the key {key_path}, must come first."
    )


def test_a_missing_certificate_or_key_file_is_named(tmp_path: Path) -> None:
    cert_path, key_path, _, _ = _issue(tmp_path, "show.example")
    missing = tmp_path / "nothing.pem"

    with pytest.raises(TlsError) as no_cert:
        tls.load_certificate(missing, key_path, now=NOW)
    with pytest.raises(TlsError) as no_key:
        tls.load_certificate(cert_path, missing, now=NOW)

    assert str(no_cert.value) == f"The TLS certificate file {missing} does not exist."
    assert str(no_key.value) == f"The TLS key file {missing} does not exist."


def test_a_file_that_is_not_a_certificate_is_named(tmp_path: Path) -> None:
    _, key_path, _, _ = _issue(tmp_path, "show.example")
    notes = tmp_path / "notes.txt"
    notes.write_text("my show's notes\n")

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(notes, key_path, now=NOW)

    assert str(raised.value) == (
        f"The TLS certificate file {notes} is not a PEM certificate "
        "(it has no -----BEGIN CERTIFICATE----- line)."
    )


def test_a_der_certificate_says_how_to_convert_it(tmp_path: Path) -> None:
    _, key_path, _, certificate = _issue(tmp_path, "show.example")
    der = tmp_path / "show.der"
    der.write_bytes(certificate.public_bytes(serialization.Encoding.DER))

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(der, key_path, now=NOW)

    assert str(raised.value) == (
        f"The TLS certificate file {der} is in DER form, not PEM: convert it with "
        f"`openssl x509 -inform der -in {der} -out cert.pem`."
    )


def test_a_certificate_and_key_given_the_wrong_way_round_say_so(tmp_path: Path) -> None:
    cert_path, key_path, _, _ = _issue(tmp_path, "show.example")

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(key_path, cert_path, now=NOW)

    assert str(raised.value) == (
        f"The TLS certificate file {key_path} holds a private key, not a certificate: "
        "are the certificate and the key swapped?"
    )


def test_a_key_that_does_not_match_the_certificate_says_they_are_not_a_pair(
    tmp_path: Path,
) -> None:
    cert_path, _, _, _ = _issue(tmp_path, "show.example")
    _, other_key, _, _ = _issue(tmp_path, "other.example")

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(cert_path, other_key, now=NOW)

    assert str(raised.value) == (
        f"The TLS key {other_key} does not match the certificate {cert_path}: they are not a pair."
    )


def test_an_expired_supplied_certificate_says_when_it_expired(tmp_path: Path) -> None:
    cert_path, key_path, _, _ = _issue(
        tmp_path,
        "show.example",
        not_before=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    )

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(cert_path, key_path, now=NOW)

    assert str(raised.value) == (
        f"The TLS certificate {cert_path} expired on 2026-03-01 09:30 UTC."
    )


def test_a_supplied_certificate_not_valid_yet_points_at_the_clock(tmp_path: Path) -> None:
    cert_path, key_path, _, _ = _issue(tmp_path, "show.example", not_before=NOW + DAY)

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(cert_path, key_path, now=NOW)

    assert str(raised.value) == (
        f"The TLS certificate {cert_path} is not valid before 2026-12-02 12:00 UTC: "
        "check this computer's date and time."
    )


def test_a_key_protected_by_a_passphrase_says_it_needs_none(tmp_path: Path) -> None:
    cert_path, key_path, key, _ = _issue(tmp_path, "show.example")
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(cert_path, key_path, now=NOW)

    assert str(raised.value) == (
        f"The TLS key {key_path} is protected by a passphrase: HostDesk needs it without one "
        f"(`openssl pkey -in {key_path} -out key.pem` removes it)."
    )


def test_a_file_that_cannot_be_read_says_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_path, key_path, _, _ = _issue(tmp_path, "show.example")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        # Tests may run as root, whom file modes do not stop.
        if self == key_path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)

    with pytest.raises(TlsError) as raised:
        tls.load_certificate(cert_path, key_path, now=NOW)

    assert str(raised.value) == f"The TLS key file {key_path} cannot be read: permission denied."


def test_covers_matches_names_addresses_and_one_label_wildcards(tmp_path: Path) -> None:
    cert = Certificate(
        cert_path=tmp_path / "c",
        key_path=tmp_path / "k",
        fingerprint_sha256="",
        spki_sha256_b64="",
        not_after=NOW,
        dns_names=("show.example", "*.lan.example"),
        ip_addresses=("192.168.1.20", "fd00::2"),
        generated=False,
    )

    assert tls.covers(cert, "Show.Example")
    assert tls.covers(cert, "desk.lan.example")
    assert tls.covers(cert, "192.168.1.20")
    assert tls.covers(cert, "[fd00:0::2]")
    assert not tls.covers(cert, "a.desk.lan.example")
    assert not tls.covers(cert, "lan.example")
    assert not tls.covers(cert, "192.168.1.21")


# --- TLS on the wire ------------------------------------------------------------------------


def _handshake(server: ssl.SSLContext, client: ssl.SSLContext, server_hostname: str) -> bytes:
    """Connect `client` to a TLS echo server on 127.0.0.1 using `server`; what it echoed."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(10)
        port = listener.getsockname()[1]

        def serve() -> None:
            conn, _ = listener.accept()
            conn.settimeout(10)
            try:
                with server.wrap_socket(conn, server_side=True) as tls_conn:
                    tls_conn.sendall(tls_conn.recv(5).upper())
            except OSError:
                conn.close()  # the client refused the certificate: its side raises

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
                client.wrap_socket(raw, server_hostname=server_hostname) as conn,
            ):
                conn.sendall(b"hello")
                return conn.recv(5)
        finally:
            thread.join(10)


def _trusting(cert: Certificate) -> ssl.SSLContext:
    client = ssl.create_default_context(cafile=str(cert.cert_path))
    # What Python 3.13 turns on by default: the certificate must pass the strict checks too.
    client.verify_flags |= ssl.VERIFY_X509_STRICT
    return client


@pytest.mark.parametrize("server_hostname", ["127.0.0.1", "localhost"])
def test_a_client_that_trusts_the_machine_certificate_completes_a_verified_handshake(
    tmp_path: Path, server_hostname: str
) -> None:
    cert = tls.machine_certificate(tmp_path, ["127.0.0.1"])

    client = _trusting(cert)

    assert client.check_hostname
    assert _handshake(tls.server_context(cert), client, server_hostname) == b"HELLO"


def test_a_renewed_certificate_still_completes_a_verified_handshake(tmp_path: Path) -> None:
    tls.machine_certificate(tmp_path, [], now=dt.datetime.now(dt.UTC) - 340 * DAY)
    cert = tls.machine_certificate(tmp_path, [])

    assert _handshake(tls.server_context(cert), _trusting(cert), "127.0.0.1") == b"HELLO"


def test_a_name_the_certificate_does_not_cover_fails_the_handshake(tmp_path: Path) -> None:
    cert = tls.machine_certificate(tmp_path, [])

    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(tls.server_context(cert), _trusting(cert), "show.example")


def test_the_server_context_allows_nothing_older_than_tls_1_2(tmp_path: Path) -> None:
    context = tls.server_context(tls.machine_certificate(tmp_path, []))

    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_a_server_context_for_files_that_changed_into_a_mismatched_pair_says_so(
    tmp_path: Path,
) -> None:
    cert = tls.machine_certificate(tmp_path / "a", [], now=NOW)
    other = tls.machine_certificate(tmp_path / "b", [], now=NOW)
    os.replace(other.key_path, cert.key_path)

    with pytest.raises(TlsError) as raised:
        tls.server_context(cert)

    assert str(raised.value) == (
        f"The TLS key {cert.key_path} does not match the certificate {cert.cert_path}: "
        "they are not a pair."
    )


def test_a_server_context_for_a_key_file_that_went_away_names_it(tmp_path: Path) -> None:
    cert = tls.machine_certificate(tmp_path, [], now=NOW)
    cert.key_path.unlink()

    with pytest.raises(TlsError) as raised:
        tls.server_context(cert)

    assert str(raised.value) == f"The TLS key file {cert.key_path} does not exist."
