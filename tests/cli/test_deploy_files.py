"""deploy/ holds together: compose, Caddy, the image's pinned packages and the systemd units.

CI has neither Docker nor Caddy: the compose file is checked as YAML here and by yamllint
(`yamllint -s -c deploy/yamllint.yml deploy/`). Where `caddy` or Compose v2 (`docker compose`)
is on PATH, their own checks run too (docs/operations.md, "Checking the deploy files").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from sqlalchemy.engine import make_url

from bot.settings import load_settings
from tests.cli.cli_process import REPO

DEPLOY = REPO / "deploy"


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _env_example() -> dict[str, str]:
    lines = (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_the_number_of_workers_comes_from_workers_alone() -> None:
    compose = _compose()
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")

    assert compose["services"]["bot"]["deploy"]["replicas"] == "${WORKERS:-2}"
    assert _env_example()["WORKERS"] == "2"
    assert "--scale" not in text, "one way to say how many workers run"


def test_migrate_and_the_workers_use_the_same_database_with_the_password_apart() -> None:
    services = _compose()["services"]
    migrate, bot = services["migrate"]["environment"], services["bot"]["environment"]

    for key in ("DATABASE_URL", "DATABASE_PASSWORD"):
        assert migrate[key] == bot[key]
    assert migrate["DATABASE_PASSWORD"] == "${POSTGRES_PASSWORD}"
    assert "POSTGRES_PASSWORD" not in migrate["DATABASE_URL"]


@pytest.mark.parametrize("password", ["a/b+c@d", "p@ss:w/rd#1%", "plain"])
def test_any_postgres_password_reaches_the_driver_unchanged(
    password: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _compose()["services"]["migrate"]["environment"]["DATABASE_URL"]
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_PASSWORD", password)

    settings = load_settings(tmp_path / ".env")

    parsed = make_url(settings.database_url)
    assert parsed.password == password
    assert (parsed.username, parsed.host, parsed.database) == ("refundbot", "db", "refundbot")


def test_caddy_uses_passive_health_checks_with_dynamic_upstreams() -> None:
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    directives = [line.split("#")[0].strip() for line in caddyfile.splitlines()]

    assert any(d.startswith("dynamic a bot 8443") for d in directives)
    assert not any(d.startswith(("health_uri", "health_port")) for d in directives)
    assert {"fail_duration 30s", "max_fails 1", "unhealthy_status 5xx"} <= set(directives)


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")
def test_caddy_accepts_the_caddyfile() -> None:
    env = {**os.environ, **_env_example()}
    checked = subprocess.run(
        ["caddy", "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert "Valid configuration" in checked.stdout + checked.stderr


def _compose_v2() -> bool:
    if shutil.which("docker") is None:
        return False
    found = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return found.returncode == 0


@pytest.mark.skipif(not _compose_v2(), reason="Compose v2 (`docker compose`) is not installed")
def test_compose_accepts_the_file_with_the_example_settings(tmp_path: Path) -> None:
    # A copy with env.example as its .env: the workers' env_file must exist.
    deploy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, deploy, ignore=shutil.ignore_patterns(".env"))
    shutil.copy(DEPLOY / "env.example", deploy / ".env")
    checked = subprocess.run(
        ["docker", "compose", "config", "--quiet"],
        cwd=deploy,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


def test_the_image_installs_the_locked_versions_which_satisfy_pyproject() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lock_lines = (DEPLOY / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = [Requirement(line) for line in lock_lines if line and not line.startswith("#")]
    pinned = {canonicalize_name(r.name): r for r in pins}
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))

    assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile
    assert all(str(r.specifier).startswith("==") for r in pins), "every package pinned"
    for dependency in project["project"]["dependencies"]:
        wanted = Requirement(dependency)
        pin = pinned.get(canonicalize_name(wanted.name))
        assert pin is not None, f"{wanted.name} is not in the lock"
        version = str(pin.specifier).removeprefix("==")
        assert wanted.specifier.contains(version), f"{pin} does not satisfy {wanted}"


def test_systemd_workers_take_their_port_from_the_instance_and_migrate_with_their_settings() -> (
    None
):
    worker = (DEPLOY / "refundbot@.service").read_text(encoding="utf-8")
    migrate = (DEPLOY / "refundbot-migrate.service").read_text(encoding="utf-8")

    assert "Environment=WEBHOOK_PORT=%i" in worker
    assert not re.search(r"\d%i", worker), "810%i would be 81010 for instance 10"
    assert "sudo -u refundbot refundbot db upgrade" not in worker
    for line in ("EnvironmentFile=/etc/refundbot/env", "User=refundbot"):
        assert line in worker and line in migrate
    assert "WorkingDirectory=/var/lib/refundbot" in migrate
    assert "ExecStart=/opt/refundbot/venv/bin/refundbot db upgrade" in migrate
