"""TLS settings travel as redis-py reads them: URL parameters, keyword arguments, redis-cli options."""
from __future__ import annotations

import ssl

import pytest
from redis.connection import SSLConnection, parse_url

from helpers.cluster.external import url_seed
from helpers.resp import Credentials, Tls, TlsError
from tests.messages import said


def test_a_rediss_url_gives_the_tls_settings_redis_py_reads() -> None:
    url = ("rediss://alice:p%40ss@db.example:6380?ssl_ca_certs=/etc/ca.crt&ssl_certfile=/me.crt"
           "&ssl_keyfile=/me.key&ssl_check_hostname=false")
    [address], login = url_seed(url)
    assert address == "db.example:6380" and (login.username, login.password) == ("alice", "p@ss")
    assert login.tls == Tls("/etc/ca.crt", "/me.crt", "/me.key", "required", check_hostname=False)
    redis_py = parse_url(url)
    assert redis_py["connection_class"] is SSLConnection and redis_py["ssl_ca_certs"] == "/etc/ca.crt"
    assert url_seed("redis://db.example:6379")[1].tls is None


def test_credentials_make_a_url_that_redis_py_reads_back_the_same() -> None:
    login = Credentials("u", "p w", Tls("/tmp/ca.crt"))
    url = login.url("127.0.0.1", 7000)
    assert url == "rediss://u:p%20w@127.0.0.1:7000?ssl_ca_certs=/tmp/ca.crt"
    assert url_seed(url)[1] == login
    assert Credentials(password="x").url("h", 1) == "redis://:x@h:1"
    odd = Credentials("a/b", "p/ss@:1", Tls("/tmp/ca.crt"))
    assert url_seed(odd.url("127.0.0.1", 7000))[1] == odd  # what redis-py reads back
    assert Credentials().redis_options() == {"username": None, "password": None}
    assert Credentials(tls=Tls("/ca")).redis_options()["ssl"] is True


def test_the_tls_settings_of_a_redis_py_client_are_read_back() -> None:
    assert Tls.of({"connection_class": SSLConnection, "ssl_ca_certs": "/ca", "ssl_cert_reqs": ssl.CERT_NONE}) \
        == Tls("/ca", cert_reqs="none")
    assert Tls.of({"ssl": True, "ssl_ca_certs": "/ca"}) == Tls("/ca")
    assert Tls.of({"host": "x"}) is None


def test_verification_is_off_only_when_asked() -> None:
    assert Tls().context().verify_mode == ssl.CERT_REQUIRED and Tls().context().check_hostname
    off = Tls(cert_reqs="none").context()
    assert off.verify_mode == ssl.CERT_NONE and not off.check_hostname
    assert Tls(cert_reqs="none").cli_options() == ["--tls", "--insecure"]
    assert Tls("/ca", "/c.crt", "/c.key").cli_options() == ["--tls", "--cacert", "/ca", "--cert", "/c.crt",
                                                           "--key", "/c.key"]


@pytest.mark.parametrize("language, words", [("en", "does not exist here"), ("fr", "n’existe pas ici")])
def test_a_tls_file_that_is_not_there_or_an_unknown_verification_is_named(
        tmp_path, monkeypatch, language, words) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    missing = str(tmp_path / "ca.crt")
    with pytest.raises(TlsError) as caught:
        Tls(missing).context()
    assert said(caught.value, "The file given as {option}, {path}, does not exist", option="ssl_ca_certs", path=missing)
    assert words in str(caught.value)
    with pytest.raises(TlsError) as caught:
        Tls(certfile=str(tmp_path / "me.crt")).check_files()
    assert said(caught.value, "The file given as {option}", option="ssl_certfile")
    with pytest.raises(ValueError) as caught:
        Tls(cert_reqs="sometimes").context()
    assert said(caught.value, "ssl_cert_reqs={value!r}: choose none, optional or required", value="sometimes")
    assert ("choisissez" in str(caught.value)) == (language == "fr")
