"""TLS for the API and the viewer page: the host's own certificate, or one HostDesk makes.

Browsers give camera and microphone only to secure origins, so a viewer on another computer
must reach HostDesk over https. A host with a certificate of their own passes it in
(`load_certificate`, in `loading`); otherwise HostDesk issues a self-signed one for this
machine's names and addresses (`machine_certificate`, in `machine`), keeps it in its config
folder and renews it before it expires. `certificate` holds what both share.

Every problem a host can cause is a `TlsError` whose message is one sentence meant for the host.
"""

from hostdesk.tls.certificate import Certificate, TlsError, covers
from hostdesk.tls.loading import load_certificate, server_context
from hostdesk.tls.machine import (
    CERT_FILE,
    KEY_FILE,
    RENEW_BEFORE,
    VALIDITY,
    default_folder,
    machine_certificate,
)

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
