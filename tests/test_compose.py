"""compose.yaml and the Dockerfile, checked without a Docker engine (none runs on these machines).

The YAML is parsed and held to what an operator relies on: every service, health checks and health
conditions, GPU reservations, volumes, scalable workers, documented variables. `docker compose
config` runs too where the compose plugin is installed.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
KORAG_SERVICES = {"worker", "api", "portal"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))


def test_every_service_is_there_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"redis", "llm", "vision", "worker", "portal", "api"}
    for name, service in services.items():
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert service.get("restart") == "unless-stopped", name


def test_korag_services_wait_for_healthy_dependencies(compose):
    for name in KORAG_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["redis"] == {"condition": "service_healthy"}, name
        # llm and vision only run with --profile gpu: optional, but awaited when present
        assert depends["llm"]["condition"] == depends["vision"]["condition"] == "service_healthy"
        assert depends["llm"]["required"] is False and depends["vision"]["required"] is False


def test_vllm_services_reserve_gpus_and_are_the_gpu_profile(compose):
    for name, model in (("llm", "KORAG_LLM_MODEL"), ("vision", "KORAG_VLM_MODEL")):
        service = compose["services"][name]
        assert service["profiles"] == ["gpu"]
        [device] = service["deploy"]["resources"]["reservations"]["devices"]
        assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]
        assert any(arg.startswith(f"--model=${{{model}:-") for arg in service["command"])
        assert "hf-cache:/models/hf" in service["volumes"]
    assert "VARCO-VISION-2.0-1.7B-OCR" in " ".join(compose["services"]["vision"]["command"])
    llm = " ".join(compose["services"]["llm"]["command"])
    assert "--tensor-parallel-size=${LLM_TENSOR_PARALLEL" in llm and "--max-model-len=${LLM_MAX_MODEL_LEN" in llm
    # the default (CPU) profile needs no GPU anywhere
    for name in KORAG_SERVICES | {"redis"}:
        assert "deploy" not in compose["services"][name] and "profiles" not in compose["services"][name]


def test_korag_services_share_the_kb_and_model_volumes_and_redis(compose):
    assert set(compose["volumes"]) == {"korag-home", "hf-cache", "redis-data"}
    for name in KORAG_SERVICES:
        service = compose["services"][name]
        assert {"korag-home:/data/korag", "hf-cache:/models/hf"} <= set(service["volumes"])
        env = service["environment"]
        assert env["KORAG_HOME"] == "/data/korag" and env["KORAG_REDIS_URL"] == "redis://redis:6379/0"
    assert "--appendonly" in compose["services"]["redis"]["command"]  # queued jobs survive a restart
    assert compose["services"]["api"]["environment"]["KORAG_API_KEYS"].startswith("${KORAG_API_KEYS:?")


def test_worker_scales_and_runs_korag_worker(compose):
    worker = compose["services"]["worker"]
    assert worker["command"] == ["korag", "worker"]
    assert "container_name" not in worker and "ports" not in worker  # both would break --scale worker=N
    assert compose["services"]["api"]["command"][:2] == ["korag", "api"]
    assert compose["services"]["portal"]["command"][:2] == ["korag", "serve"]


def test_every_compose_variable_is_documented_in_env_example():
    text = (REPO / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (REPO / ".env.example").read_text(encoding="utf-8"), re.M))
    assert used - documented == set()


def test_dockerfile_is_multi_stage_slim_non_root_with_korean_tesseract():
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(stages) == 2 and all(s.startswith("python:3.11-slim") for s in stages)
    assert "tesseract-ocr-kor" in text and re.search(r"^USER korag$", text, re.M)
    assert 'pip install ".${KORAG_EXTRAS}"' in text
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env", "tests"} <= set(ignored)


def _compose_command() -> list[str] | None:
    """`docker compose` (the plugin), or a standalone Compose v2 `docker-compose`; None when neither is here."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        done = subprocess.run([*command, "version"], capture_output=True, text=True)
        if done.returncode == 0 and re.search(r"v?2\.\d+", done.stdout):
            return command
    return None


def test_docker_compose_config_accepts_the_file(tmp_path):
    compose = _compose_command()
    if compose is None:
        pytest.skip("neither the docker compose plugin nor Compose v2 `docker-compose` is installed here")
    env = tmp_path / "test.env"
    env.write_text("KORAG_API_KEYS=" + "0" * 64 + "\n", encoding="utf-8")
    for profile in ([], ["--profile", "gpu"]):
        done = subprocess.run([*compose, "--env-file", str(env), *profile, "-f", str(REPO / "compose.yaml"),
                               "config", "--quiet"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    (tmp_path / "empty.env").write_text("", encoding="utf-8")
    refused = subprocess.run([*compose, "--env-file", str(tmp_path / "empty.env"), "-f", str(REPO / "compose.yaml"),
                              "config", "--quiet"], capture_output=True, text=True)
    assert refused.returncode != 0 and "KORAG_API_KEYS" in refused.stderr  # the API never starts without keys
