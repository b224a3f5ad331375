"""Fixtures: live Hypatia servers, named by environment variables.

``scripts/python_client.sh`` starts the servers and sets these:

- ``HYPATIA_TEST_URL``: a server without tokens over a store of the bundled samples (SciFact
  sample, arXiv sample, Markdown papers, a retracted MEDLINE paper and its notice); reads only.
- ``HYPATIA_TEST_AUTH_URL``: a server with ``--tokens`` and ``--no-anonymous-read`` over an
  empty store; the write tests ingest into it.
- ``HYPATIA_TEST_WRITE_TOKEN``, ``HYPATIA_TEST_READ_TOKEN``: a write token (any agent) and a
  read token of that server.
- ``HYPATIA_TEST_FIXTURES``: the repository's ``tests/fixtures`` (found from this file when
  unset).

A test whose server is not given fails rather than skips: these tests exist to run against a
live server, and a silent skip would pass without checking anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hypatia_client import HypatiaClient


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the tests through scripts/python_client.sh, which starts the servers")
    return value


@pytest.fixture(scope="session")
def base_url() -> str:
    return _env("HYPATIA_TEST_URL")


@pytest.fixture(scope="session")
def auth_url() -> str:
    return _env("HYPATIA_TEST_AUTH_URL")


@pytest.fixture(scope="session")
def write_token() -> str:
    return _env("HYPATIA_TEST_WRITE_TOKEN")


@pytest.fixture(scope="session")
def read_token() -> str:
    return _env("HYPATIA_TEST_READ_TOKEN")


@pytest.fixture(scope="session")
def fixtures() -> Path:
    path = Path(os.environ.get("HYPATIA_TEST_FIXTURES") or Path(__file__).resolve().parents[3] / "tests" / "fixtures")
    if not (path / "papers").is_dir():
        pytest.fail(f"no bundled fixtures at {path}; set HYPATIA_TEST_FIXTURES")
    return path


@pytest.fixture(scope="session")
def hy(base_url: str):
    # token="" so that a HYPATIA_TOKEN in the caller's environment does not leak in.
    with HypatiaClient(base_url, token="") as client:
        yield client


@pytest.fixture(scope="session")
def writer(auth_url: str, write_token: str):
    with HypatiaClient(auth_url, token=write_token) as client:
        yield client


@pytest.fixture(scope="session")
def openapi(hy: HypatiaClient) -> dict:
    return hy.openapi()
