"""The OBS stand-in refuses what a real bucket refuses, and never keeps half an upload."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from reconciler.emulator import Emulator
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import Api, put, sentence_zip, wav


def _error_code(response: requests.Response) -> str:
    text = response.text
    assert text.startswith("<?xml") and "<RequestId>" in text, text
    return text.split("<Code>")[1].split("</Code>")[0]


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.netloc, timeout=10), f"{parts.path}?{parts.query}"


def test_put_returns_md5_etag_and_object_can_be_read_back(api: Api) -> None:
    created = api.create("basic")
    data = sentence_zip(20)
    response = put(created["training_data_uploading_url"], data, "application/zip")
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'  # noqa: S324
    source = api.show(created["job_id"])["training_input_source_url"]
    assert requests.get(source, timeout=10).content == data


def test_content_type_is_bound_to_the_url(api: Api) -> None:
    created = api.create("basic")
    session = requests.Session()
    wrong = session.put(
        created["training_data_uploading_url"],
        data=b"zip",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert wrong.status_code == 403 and _error_code(wrong) == "SignatureDoesNotMatch"
    text_url = created["segment_uploading_url"]["txt_uploading_url"][0]
    assert put(text_url, b"hello", "text/plain; charset=utf-8").status_code == 403
    assert put(text_url, b"hello", None).status_code == 403
    # the refused body was drained: the same connection serves the next upload
    ok = session.put(text_url, data=b"hello", headers={"Content-Type": "text/plain"})
    assert ok.status_code == 200
    letter = created["authorization_letter_uploading_url"]
    assert put(letter, b"%PDF-1.4", "application/pdf").status_code == 200
    assert put(letter, b"\x89PNG", "image/png").status_code == 200


def test_tampered_urls_are_refused(api: Api) -> None:
    created = api.create("basic")
    url = created["training_data_uploading_url"]
    signature = url.rsplit("Signature=", 1)[1]
    forged = url.replace(signature, ("A" if signature[0] != "A" else "B") + signature[1:])
    assert _error_code(put(forged, b"x", "application/zip")) == "SignatureDoesNotMatch"
    expires = url.split("Expires=")[1].split("&")[0]
    later = url.replace(f"Expires={expires}", f"Expires={int(expires) + 1000}")
    assert put(later, b"x", "application/zip").status_code == 403
    moved = url.replace("/package/data.zip", "/segments/0.wav")
    assert put(moved, b"x", "audio/wav").status_code == 403
    unsigned = url.split("?")[0]
    assert put(unsigned, b"x", "application/zip").status_code == 403


def test_expired_url(make_emulator: MakeEmulator) -> None:
    emu = make_emulator(url_ttl_seconds=-1)  # every URL is born expired
    created = Api(emu.base_url).create("basic")
    response = put(created["training_data_uploading_url"], b"x", "application/zip")
    assert response.status_code == 403
    assert _error_code(response) == "AccessDenied"
    assert "Request has expired" in response.text


def test_metastudio_auth_headers_are_refused(api: Api) -> None:
    url = api.create("basic")["training_data_uploading_url"]
    response = put(url, b"x", "application/zip", Authorization="SDK-HMAC-SHA256 Access=x")
    assert response.status_code == 400 and _error_code(response) == "InvalidArgument"
    response = put(url, b"x", "application/zip", **{"X-Auth-Token": "t"})
    assert response.status_code == 400


def test_chunked_upload_is_not_implemented(api: Api) -> None:
    url = api.create("basic")["training_data_uploading_url"]

    def body() -> Any:
        yield b"part one"
        yield b"part two"

    response = requests.put(
        url, data=body(), headers={"Content-Type": "application/zip"}, timeout=10
    )
    assert response.status_code == 501 and _error_code(response) == "NotImplemented"


def test_missing_length_and_too_large(api: Api) -> None:
    url = api.create("basic")["training_data_uploading_url"]
    connection, target = _connection(url)
    connection.putrequest("PUT", target, skip_accept_encoding=True)
    connection.putheader("Content-Type", "application/zip")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 411 and b"MissingContentLength" in response.read()
    connection.close()
    connection, target = _connection(url)
    connection.putrequest("PUT", target, skip_accept_encoding=True)
    connection.putheader("Content-Type", "application/zip")
    connection.putheader("Content-Length", str(6 << 30))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 400 and b"EntityTooLarge" in response.read()
    connection.close()


def test_uploads_are_refused_after_submit(make_emulator: MakeEmulator) -> None:
    emu = make_emulator(seconds_per_state=-1)
    api = Api(emu.base_url)
    created = api.create("basic")
    url = created["training_data_uploading_url"]
    assert put(url, sentence_zip(20), "application/zip").status_code == 200
    assert api.submit(created["job_id"]).status_code == 200
    response = put(url, sentence_zip(20), "application/zip")
    assert response.status_code == 403 and "SYSTEM_AUDITING" in response.text


def test_cut_off_upload_keeps_the_previous_object(emu: Emulator, api: Api) -> None:
    created = api.create("basic")
    url = created["segment_uploading_url"]["audio_uploading_url"][0]
    first = wav(1)
    assert put(url, first, "audio/wav").status_code == 200
    parts = urlsplit(url)
    host, port = parts.netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(
            (
                f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                "Content-Type: audio/wav\r\nContent-Length: 3000000\r\n\r\n"
            ).encode()
            + b"\0" * 100_000
        )
        raw.shutdown(socket.SHUT_WR)  # the client dies mid-body
        # The server drops the connection only after discarding the partial upload.
        with contextlib.suppress(ConnectionResetError):
            assert raw.recv(1024) == b""
    assert not any(emu.core.store.tmp_dir.iterdir())
    stored = emu.core.store.object_path(created["job_id"], "segments/0.wav").read_bytes()
    assert stored == first
    job = next(j for j in emu.jobs() if j["job_id"] == created["job_id"])
    assert job["state"] == "CREATING"


def test_request_log_never_shows_url_signatures(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="reconciler.emulator")
    url = api.create("basic")["training_data_uploading_url"]
    put(url, b"x", "application/zip")
    signature = url.rsplit("Signature=", 1)[1]
    emulator_lines = [
        r.getMessage() for r in caplog.records if r.name.startswith("reconciler.emulator")
    ]
    assert any("/package/data.zip" in line for line in emulator_lines)
    assert not any(signature in line for line in emulator_lines)
