"""#24: the training cluster with mutual TLS (certificates from `python3 -m core.classserver.certs DIR`): a client
without a certificate signed by the cluster's CA cannot connect; NN Lab's own client can, and runs a job."""

import os
import socket
import ssl
import stat
import subprocess
import sys

import pytest

from core.classserver.certs import (
    CA_ENV,
    CERT_ENV,
    KEY_ENV,
    TLSConfigError,
    make_certificates,
    security,
    tls_files,
)
from core.classserver.cluster import Cluster, ClusterUnavailable


def _env(paths):
    return {CA_ENV: str(paths["ca"]), CERT_ENV: str(paths["cert"]), KEY_ENV: str(paths["key"])}


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def tls_cluster(certs):
    c = Cluster(workers=1, tls=tls_files(_env(certs)))
    c.client(timeout=120)
    yield c
    c.close()


def test_the_command_writes_a_ca_a_node_certificate_and_a_private_key_only_its_owner_reads(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "core.classserver.certs", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert {p.name for p in (tmp_path / "c").iterdir()} == {"ca.pem", "node.pem", "node-key.pem"}
    assert stat.S_IMODE(os.stat(tmp_path / "c" / "node-key.pem").st_mode) == 0o600
    assert CA_ENV in out and KEY_ENV in out


def test_half_a_tls_configuration_is_refused_with_what_is_missing(certs, tmp_path):
    assert tls_files({}) is None
    with pytest.raises(TLSConfigError, match=KEY_ENV):
        tls_files({CA_ENV: str(certs["ca"]), CERT_ENV: str(certs["cert"])})
    with pytest.raises(TLSConfigError, match="not there"):
        tls_files({**_env(certs), CA_ENV: str(tmp_path / "nope.pem")})


def test_a_wrong_environment_is_a_message_not_an_insecure_cluster(certs, monkeypatch, tmp_path):
    monkeypatch.setenv(CA_ENV, str(certs["ca"]))
    monkeypatch.delenv(CERT_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    cluster = Cluster.from_env()
    try:
        with pytest.raises(ClusterUnavailable, match=CERT_ENV):
            cluster.client(timeout=10)
        assert not cluster._procs  # nothing was started without TLS
    finally:
        cluster.close()


def test_a_plain_tcp_school_scheduler_is_refused_when_certificates_are_set(certs):
    cluster = Cluster("tcp://127.0.0.1:1", tls=tls_files(_env(certs)))
    try:
        with pytest.raises(ClusterUnavailable, match="tls://"):
            cluster.client(timeout=30)
    finally:
        cluster.close()


def test_with_tls_only_a_client_with_the_cluster_certificate_connects_and_runs_a_job(tls_cluster, certs, tmp_path):
    from distributed import Client

    client = tls_cluster.client()
    address = client.scheduler.address
    assert address.startswith("tls://127.0.0.1:")  # the local cluster stays on this machine
    assert client.submit(sum, [1, 2, 3], pure=False).result(timeout=60) == 6

    host, port = address.removeprefix("tls://").rsplit(":", 1)
    plain = ssl.create_default_context(cafile=str(certs["ca"]))  # trusts the cluster, but shows no certificate
    plain.check_hostname = False
    with pytest.raises((ssl.SSLError, ConnectionError, TimeoutError)):
        with plain.wrap_socket(socket.create_connection((host, int(port)), timeout=10)) as sock:
            assert sock.recv(1) != b""  # the scheduler ends the handshake: no data
    with pytest.raises((OSError, TimeoutError)):  # plain TCP to the TLS port
        Client(address.replace("tls://", "tcp://"), timeout=5, set_as_default=False)
    other = make_certificates(tmp_path / "other")  # a certificate from another CA
    with pytest.raises((OSError, TimeoutError)):
        Client(address, timeout=5, set_as_default=False, security=security({k: str(v) for k, v in other.items()}))
    with Client(address, timeout=30, set_as_default=False, security=security(tls_files(_env(certs)))) as same:
        assert same.submit(max, [4, 2], pure=False).result(timeout=60) == 4
