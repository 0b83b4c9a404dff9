"""A private CA and the certificates of a TLS cluster (`python -m helpers up --tls`, notebook 07).

Written with `cryptography`, so it works where no `openssl` program is (a Windows laptop with
Docker alone). One CA; one certificate for the nodes, which they show to clients and to each
other (cluster bus and replication, `tls-cluster` and `tls-replication`); one for clients that
want to show theirs (`tls-auth-clients optional`). Nothing here is secret beyond the workshop:
the keys stay in WORKSHOP_HOME/tls, readable by its owner.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA, NODE, CLIENT = "ca", "node", "client"  # ca.crt, node.crt + node.key, client.crt + client.key
# The names a node's certificate is valid for: the host's loopback, where clients reach the nodes
# on both backends (the docker backend publishes their ports there).
NODE_NAMES = ("localhost", "127.0.0.1", "::1")


def make_certificates(directory: Path, names: tuple[str, ...] = NODE_NAMES, days: int = 825,
                      not_before: datetime.datetime | None = None) -> Path:
    """Write ca.crt, node.crt/key and client.crt/key into `directory` unless they are there; return it.

    `names` are the host names and IP addresses the node certificate is valid for; `days` and
    `not_before` its validity (the tests make an expired one). Used by `up --tls` on both backends.
    """
    if all((directory / f"{name}.crt").exists() for name in (CA, NODE, CLIENT)):
        return directory
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    start = not_before or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Redis Cluster Workshop CA")])
    ca = (_builder(ca_name, ca_name, ca_key, start, days)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    _write(directory / f"{CA}.crt", ca.public_bytes(serialization.Encoding.PEM))
    for leaf, usages in ((NODE, [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                         (CLIENT, [ExtendedKeyUsageOID.CLIENT_AUTH])):
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"workshop {leaf}")])
        builder = (_builder(subject, ca_name, key, start, days)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage(usages), critical=False))
        if leaf == NODE:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [_general_name(name) for name in names]), critical=False)
        certificate = builder.sign(ca_key, hashes.SHA256())
        _write(directory / f"{leaf}.key", key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
            private=True)
        _write(directory / f"{leaf}.crt", certificate.public_bytes(serialization.Encoding.PEM))
    return directory


def _builder(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey,
             start: datetime.datetime, days: int) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days)))


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Write a PEM file; a key readable by its owner only from its first byte (the nodes run as the
    same user, and in containers as root)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
