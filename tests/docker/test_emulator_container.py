"""The emulator server's container (``ci/docker/Dockerfile.emulator``) against the service
(issue 10, containers): testcontainers builds and starts the image on the host network; its Web
Connector syncs a company into a ``qbd-connector serve`` on this machine's loopback (the only
plain-HTTP AppURL a Web Connector accepts), and the service holds what the container's company
holds.

Marked ``docker``: deselected by default (pyproject's addopts, like ``windows``), as CI machines
have no Docker engine; ``pytest -m docker`` runs it, and skips it with the reason where no
engine answers (``tests.requirements.missing``: CI=true fails instead).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.refpaths import REPO
from tests.requirements import missing, require_module

pytestmark = pytest.mark.docker

HOW = "install Docker and start its engine, and pip install -e '.[docker]'"
PORT = 18090  # the emulator's port on the host network (the image's default is 8090)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    require_module("testcontainers", how=HOW)
    docker = require_module("docker", how=HOW)
    # docker-py leaks its socket when the engine is absent: look for the engine's socket first.
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists():
        missing("a Docker engine", "no DOCKER_HOST and no /var/run/docker.sock", how=HOW)
    with docker.from_env() as client:
        try:
            client.ping()
        except Exception as exc:  # any failure to reach the engine is "no engine"
            missing("a Docker engine", str(exc), how=HOW)
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.image import DockerImage
    from testcontainers.core.waiting_utils import wait_for_logs

    with DockerImage(path=str(REPO), dockerfile_path="ci/docker/Dockerfile.emulator") as image:
        container = (
            DockerContainer(str(image))
            .with_kwargs(network_mode="host")
            .with_command(f"qbd-emulator serve --host 127.0.0.1 --port {PORT}")
        )
        with container:
            wait_for_logs(container, "listening on", timeout=120)
            yield f"http://127.0.0.1:{PORT}"


def test_the_emulator_container_syncs_a_company_into_the_service(
    emulator_url: str, qbd_service: Any
) -> None:
    with httpx.Client(base_url=emulator_url, timeout=300) as emulator:
        company = emulator.post("/companies", json={"seed": 3, "size": "tiny"}).json()
        link = qbd_service.connect("Containerised Co")
        run = emulator.post(
            "/webconnector/runs",
            json={"qwc": link.qwc, "password": link.password, "companyId": company["id"]},
        ).json()
    assert run["ok"], run
    assert run["summary"]["result"] == "done"
    synced = 0
    for data_type, count in company["counts"].items():
        page = qbd_service.api(
            "GET", f"/companies/{link.company_id}/data/{data_type}", params={"pageSize": 1000}
        )
        if page.status_code == 404:  # a type the connector does not sync
            continue
        assert len(page.json()["data"]) == count, data_type
        synced += count
    assert synced > 0
