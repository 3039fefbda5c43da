"""The training cluster's certificates, made once by the teacher: `python3 -m core.classserver.certs DIR`.

Dask's scheduler and workers run student-submitted training code; on a school network anyone who can connect to
them could run code on the lab machines and read or stop every student's training. With these certificates the
scheduler, every worker and every NN Lab server prove to each other that they were given the same certificate
authority (mutual TLS, `distributed.security.Security`): a connection without a certificate signed by it is
refused. DIR gets:

    ca.pem        the certificate authority (public: every machine needs it)
    node.pem      the certificate the scheduler, workers and NN Lab servers present
    node-key.pem  its private key (readable by its owner only; copy it only to the lab machines)

The CA's own key is not written: nothing else can be signed later; to add machines, copy the same three files;
to revoke, make new ones. NN Lab reads the paths from NNLAB_TLS_CA, NNLAB_TLS_CERT, NNLAB_TLS_KEY.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

from core.errors import NNLabError

CA_ENV, CERT_ENV, KEY_ENV = "NNLAB_TLS_CA", "NNLAB_TLS_CERT", "NNLAB_TLS_KEY"
FILES = ("ca.pem", "node.pem", "node-key.pem")
VALID_DAYS = 3 * 365


class TLSConfigError(NNLabError, ValueError):
    """The cluster's certificate settings are incomplete or point at files that are not there."""


def make_certificates(folder: str | Path, days: int = VALID_DAYS) -> dict[str, Path]:
    """Write a new CA and one node certificate signed by it into `folder`; the three paths by role."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn: str):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key, node_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def signed(subject, key, ca: bool):
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(name("NN Lab cluster CA"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
        return builder.sign(ca_key, hashes.SHA256())

    paths = dict(zip(("ca", "cert", "key"), (folder / f for f in FILES)))
    pem = serialization.Encoding.PEM
    paths["ca"].write_bytes(signed("NN Lab cluster CA", ca_key, True).public_bytes(pem))
    paths["cert"].write_bytes(signed("NN Lab cluster node", node_key, False).public_bytes(pem))
    fd = os.open(paths["key"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(node_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def tls_files(environ=os.environ) -> dict[str, str] | None:
    """The certificate paths from the environment; None if none is set. TLSConfigError if only some are set or a
    file is missing (a half-configured cluster must not quietly run without TLS)."""
    given = {role: environ.get(env, "") for role, env in (("ca", CA_ENV), ("cert", CERT_ENV), ("key", KEY_ENV))}
    if not any(given.values()):
        return None
    missing = [env for env, path in zip((CA_ENV, CERT_ENV, KEY_ENV), given.values()) if not path]
    if missing:
        raise TLSConfigError(
            f"The training cluster's TLS needs {CA_ENV}, {CERT_ENV} and {KEY_ENV}; "
            f"{', '.join(missing)} is not set. Set all three (made with "
            "`python3 -m core.classserver.certs DIR`) or none."
        )
    absent = [f"{role}={path}" for role, path in given.items() if not Path(path).is_file()]
    if absent:
        raise TLSConfigError(
            f"The training cluster's certificate files are not there: {', '.join(absent)}. "
            "Expected the files `python3 -m core.classserver.certs DIR` wrote."
        )
    return given


def security(files: dict[str, str]):
    """Dask's mutual-TLS settings for these files: every connection needs a certificate signed by the CA."""
    from distributed.security import Security

    return Security(
        tls_ca_file=files["ca"],
        tls_client_cert=files["cert"],
        tls_client_key=files["key"],
        tls_scheduler_cert=files["cert"],
        tls_scheduler_key=files["key"],
        tls_worker_cert=files["cert"],
        tls_worker_key=files["key"],
        require_encryption=True,
    )


def cli_options(files: dict[str, str]) -> list[str]:
    """The same settings as `dask scheduler` / `dask worker` options."""
    return ["--tls-ca-file", files["ca"], "--tls-cert", files["cert"], "--tls-key", files["key"]]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 -m core.classserver.certs DIR", file=sys.stderr)
        return 2
    paths = make_certificates(argv[0])
    print(
        f"Wrote {', '.join(str(p) for p in paths.values())}. On every machine of the cluster and on the NN Lab "
        f"server set:\n  export {CA_ENV}={paths['ca'].resolve()} {CERT_ENV}={paths['cert'].resolve()} "
        f"{KEY_ENV}={paths['key'].resolve()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
