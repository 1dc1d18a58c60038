"""Runs a rendered RAG orchestrator with the real Hayhooks and Haystack against the stand-ins (stand_ins.py).

    python rag_harness.py <job.json> <work dir>

job.json is the orchestrator's create-job body as budusecases completes it at deploy time. Its files are written
under <work dir>/root (/opt/pipelines/rag/pipeline_wrapper.py becomes <work dir>/root/opt/pipelines/rag/...), env
values naming those directories are pointed there, and VECTOR_DB_URL is replaced by ":memory:" (Qdrant's local
mode: no Qdrant server can run here). Everything else is the rendered env. Hayhooks runs as `hayhooks run`; three
documents are indexed through /rag_indexing/run and a question is asked through /rag/run, the OpenAI-compatible
/v1/chat/completions (the chat UI's route) and after a /v1/files upload. Prints one JSON object: the answers and
every request the stand-ins recorded.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import stand_ins

DOCUMENTS = [
    "Bud Foundry's capital city is Lumen, on the shore of the Quiet Sea.",
    "The Quiet Sea freezes every winter, and ferries stop from December to March.",
    "Lumen's oldest building is the Glass Library, built in 1820.",
]
QUESTION = "What is the capital city of Bud Foundry?"
UPLOAD = "The Glass Library lends its telescope to students every Thursday evening."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(base: str, method: str, path: str, body: "object | None" = None, raw: "bytes | None" = None, content_type: str = "application/json") -> "tuple[int, object]":
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": content_type})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the harness talks to Hayhooks directly
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def multipart(filename: str, content: bytes, purpose: str) -> "tuple[bytes, str]":
    boundary = "bud-usecases-boundary"
    parts = [
        b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n' + purpose.encode() + b"\r\n",
        b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename.encode()
        + b'"\r\nContent-Type: text/plain\r\n\r\n' + content + b"\r\n",
        b"--" + boundary.encode() + b"--\r\n",
    ]
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def main() -> int:
    job = json.loads(Path(sys.argv[1]).read_text())
    work = Path(sys.argv[2])
    root = work / "root"
    spec = job["spec"]
    directories = set()
    for f in spec.get("files", []):
        target = root / f["path"].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f["content"])
        target.chmod(int(f["mode"], 8))
        directories.add(str(Path(f["path"]).parent))
        directories.add(str(Path(f["path"]).parent.parent))

    rendered = {**spec.get("env", {}), **spec.get("secret_env", {})}
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    for name, value in rendered.items():
        env[name] = str(root / value.lstrip("/")) if value in directories else value
    env["VECTOR_DB_URL"] = ":memory:"
    # The model the LLM stand-in says it serves (GET /v1/models), for a job without LLM_MODEL.
    served = os.environ.get("STAND_IN_SERVED_MODEL", "stand-in/served-model")
    server, recorder = stand_ins.start(int(rendered.get("EMBEDDING_DIM", "768")), served)
    proxy = "http://127.0.0.1:" + str(server.server_address[1])
    port = free_port()
    env.update(
        {
            "HAYHOOKS_HOST": "127.0.0.1",
            "HAYHOOKS_PORT": str(port),
            "HAYHOOKS_SHOW_TRACEBACKS": "true",
            "HTTP_PROXY": proxy,
            "http_proxy": proxy,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    hayhooks = Path(sys.executable).parent / "hayhooks"
    log = open(work / "hayhooks.log", "w")
    process = subprocess.Popen([str(hayhooks), "run"], env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:" + str(port)
    result: dict = {"port": port}
    try:
        deadline = time.monotonic() + 90
        status: object = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("hayhooks exited with " + str(process.returncode))
            try:
                code, status = call(base, "GET", "/status")
                if code == 200 and isinstance(status, dict) and {"rag", "rag_indexing"} <= set(status.get("pipelines", [])):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("hayhooks did not deploy rag and rag_indexing within 90 s: " + json.dumps(status))
        result["pipelines"] = sorted(status["pipelines"])  # type: ignore[index]
        result["index"] = call(base, "POST", "/rag_indexing/run", {"texts": DOCUMENTS})
        result["ask"] = call(base, "POST", "/rag/run", {"question": QUESTION})
        result["chat"] = call(
            base, "POST", "/v1/chat/completions", {"model": "rag", "messages": [{"role": "user", "content": QUESTION}]}
        )
        body, content_type = multipart("library.txt", UPLOAD.encode(), "assistants")
        result["upload"] = call(base, "POST", "/v1/files", raw=body, content_type=content_type)
        result["ask_upload"] = call(base, "POST", "/rag/run", {"question": "When does the Glass Library lend its telescope?"})
    except Exception as error:  # the test prints the log and the error
        result["error"] = repr(error)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        server.shutdown()
    result["requests"] = recorder.requests
    result["documents"] = DOCUMENTS
    result["question"] = QUESTION
    result["log"] = (work / "hayhooks.log").read_text()[-4000:]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
