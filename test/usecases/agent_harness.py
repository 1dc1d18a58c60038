"""Runs a rendered agent template with the real agent library against a stand-in LLM and the real mcpo.

    python agent_harness.py <agent job.json> <tool-server job.json> <work dir>

The job files are the create-job bodies budusecases completes at deploy time for the agent runtime (Open WebUI
Pipelines) and the tool server (mcpo). Their files are written under <work dir>/root.

- mcpo (the pinned PyPI release the tool-server image runs) starts with the tool server's rendered args and its
  rendered /config/mcpo.json. The image starts each MCP server with `uvx <package>`; here the same package's
  console script from the venv runs instead (no network), and only the servers the agent may call (TOOLS_ENABLED)
  are kept: the venv holds mcp-server-time, not mcp-server-fetch.
- One HTTP forward proxy (HTTP_PROXY) receives every HTTP call the agent makes at the exact URLs its deployment
  rendered and records it: calls to the tool server's host are forwarded to the real mcpo (its answer recorded);
  calls to the LLM host are answered by the stand-in LLM below.
- The stand-in LLM (OpenAI-compatible chat completions) answers a request that offers a *get_current_time tool and
  carries no tool result yet with a call of that tool ({"timezone": "UTC"}); any other request gets a final answer
  quoting the newest tool result it was sent (or, with none, the last user message: a crew's next task receives
  the previous task's output there).
- The rendered pipeline file is loaded the way Pipelines' main.py does: its front matter is parsed, the module is
  imported from the file, its Pipeline built, on_startup awaited and pipe(user_message, model_id, messages, body)
  called. What start.sh (PIPELINES_REQUIREMENTS_PATH) and main.py (front matter "requirements:") would pip-install
  is checked against the venv instead.

Prints one JSON object: the answer (or error), the front matter, and every request recorded.
"""

import asyncio
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

QUESTION = "What time is it in UTC right now?"
FINAL = "Thought: I now know the final answer\nFinal Answer: "


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def text_of(content: object) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def llm_answer(body: dict) -> dict:
    messages = body.get("messages", [])
    tools = [t.get("function", {}).get("name", "") for t in body.get("tools") or []]
    time_tool = next((name for name in tools if name.endswith("get_current_time")), None)
    tool_results = [text_of(m.get("content")) for m in messages if m.get("role") == "tool"]
    message: dict = {"role": "assistant", "content": None}
    if time_tool and not tool_results:
        message["tool_calls"] = [
            {"id": "call_stand_in_1", "type": "function", "function": {"name": time_tool, "arguments": json.dumps({"timezone": "UTC"})}}
        ]
        finish = "tool_calls"
    else:
        users = [text_of(m.get("content")) for m in messages if m.get("role") == "user"]
        source = tool_results[-1] if tool_results else (users[-1] if users else "")
        message["content"] = FINAL + "The tool answered: " + source
        finish = "stop"
    return {
        "id": "chatcmpl-stand-in",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class Proxy:
    def __init__(self, tool_host: str, mcpo_base: str) -> None:
        self.tool_host = tool_host
        self.mcpo_base = mcpo_base
        self.requests: list = []
        self.lock = threading.Lock()

    def start(self) -> int:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
                pass

            def reply(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle_any(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = self.path if "://" in self.path else "http://" + str(self.headers.get("Host")) + self.path
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                parts = urlsplit(url)
                if parts.netloc == proxy.tool_host:
                    status, data = forward(method, proxy.mcpo_base + parts.path, raw if raw else None)
                elif parts.path.endswith("/chat/completions") and isinstance(body, dict):
                    status, data = 200, json.dumps(llm_answer(body)).encode()
                else:
                    status, data = 404, json.dumps({"error": "the stand-in serves no " + method + " " + url}).encode()
                try:
                    answer = json.loads(data)
                except ValueError:
                    answer = data.decode("utf-8", "replace")
                with proxy.lock:
                    proxy.requests.append({"method": method, "url": url, "body": body, "status": status, "answer": answer})
                self.reply(status, data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.handle_any("GET")

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.handle_any("POST")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return int(server.server_address[1])


def forward(method: str, url: str, data: "bytes | None") -> "tuple[int, bytes]":
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError) as error:  # not listening (yet)
        return 0, json.dumps({"error": str(error)}).encode()


def write_files(job: dict, root: Path) -> None:
    for f in job["spec"].get("files", []):
        target = root / f["path"].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f["content"])
        target.chmod(int(f["mode"], 8))


def start_mcpo(tool_job: dict, root: Path, servers: list, work: Path) -> "tuple[subprocess.Popen, str]":
    """mcpo with the tool server's rendered args; --host/--port made local, --config pointed under root."""
    args = list(tool_job["spec"]["values"]["args"]) if "values" in tool_job["spec"] else list(tool_job["spec"].get("args", []))
    port = free_port()
    config_at = args.index("--config") + 1
    config = json.loads((root / args[config_at].lstrip("/")).read_text())
    kept = {}
    for name, server in config["mcpServers"].items():
        if name not in servers:
            continue
        if server.get("command") == "uvx":  # the image's uvx fetches the package; the venv has it installed
            package, *rest = server["args"]
            package_name, pinned = re.fullmatch(r"([^=@]+)(?:(?:==|@)(.+))?", package).groups()
            installed = importlib.metadata.version(package_name)
            if pinned and installed != pinned:
                raise RuntimeError(f"the tool server pins {package}; the suite's venv has {package_name} {installed}")
            server = {**server, "command": str(Path(sys.executable).parent / package_name), "args": rest}
        kept[name] = server
    local_config = work / "mcpo.json"
    local_config.write_text(json.dumps({"mcpServers": kept}))
    args[args.index("--host") + 1] = "127.0.0.1"
    args[args.index("--port") + 1] = str(port)
    args[config_at] = str(local_config)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    log = open(work / "mcpo.log", "w")
    process = subprocess.Popen([str(Path(sys.executable).parent / "mcpo"), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:" + str(port)
    deadline = time.monotonic() + 60
    while True:
        ready = all(forward("GET", base + "/" + name + "/openapi.json", None)[0] == 200 for name in kept) if kept else True
        if ready:
            return process, base
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("mcpo did not serve " + ", ".join(kept) + ":\n" + (work / "mcpo.log").read_text())
        time.sleep(0.2)


def parse_frontmatter(content: str) -> dict:
    """Pipelines' main.py: the first triple-quoted block, each `key: value` line."""
    frontmatter = {}
    if content.startswith('"""'):
        end = content.find('"""', 3)
        for line in content[3:end].split("\n"):
            if ":" in line:
                key, value = line.split(":", 1)
                frontmatter[key.strip().lower()] = value.strip()
    return frontmatter


def main() -> int:
    agent_job = json.loads(Path(sys.argv[1]).read_text())
    tool_job = json.loads(Path(sys.argv[2]).read_text()) if sys.argv[2] != "-" else None
    work = Path(sys.argv[3])
    root = work / "root"
    write_files(agent_job, root)
    rendered = {**agent_job["spec"].get("env", {}), **agent_job["spec"].get("secret_env", {})}
    servers = json.loads(rendered.get("TOOLS_ENABLED") or "[]")
    mcpo = None
    result: dict = {"question": QUESTION}
    try:
        tool_url = rendered.get("TOOL_SERVER_URL", "")
        mcpo_base = ""
        if tool_job is not None:
            write_files(tool_job, root)
            mcpo, mcpo_base = start_mcpo(tool_job, root, servers, work)
        proxy = Proxy(urlsplit(tool_url).netloc if tool_url else "-", mcpo_base)
        proxy_url = "http://127.0.0.1:" + str(proxy.start())
        result["requests"] = proxy.requests

        for name in list(os.environ):
            if name.lower().endswith("_proxy"):
                del os.environ[name]
        os.environ.update(rendered)
        os.environ["HTTP_PROXY"] = os.environ["http_proxy"] = proxy_url
        os.environ["CREWAI_STORAGE_DIR"] = str(work / "crewai")
        os.environ["HOME"] = str(work / "home")

        pipelines_dir = root / rendered.get("PIPELINES_DIR", agent_job["spec"].get("env", {}).get("PIPELINES_DIR", "/app/pipelines")).lstrip("/")
        files = sorted(pipelines_dir.glob("*.py"))
        result["pipelines"] = [f.name for f in files]
        file = files[0]
        content = file.read_text()
        frontmatter = parse_frontmatter(content)
        result["frontmatter"] = frontmatter
        # start.sh pip-installs PIPELINES_REQUIREMENTS_PATH before the server starts; main.py pip-installs the front
        # matter's "requirements:" when it loads the file. Here both are checked against the venv instead.
        requirements = [r.strip() for r in frontmatter.get("requirements", "").split(",") if r.strip()]
        requirements_path = rendered.get("PIPELINES_REQUIREMENTS_PATH", "")
        if requirements_path:
            lines = (root / requirements_path.lstrip("/")).read_text().splitlines()
            result["start_requirements"] = [l.strip() for l in lines if l.strip() and not l.strip().startswith("#")]
            requirements += result["start_requirements"]
        missing = []
        for requirement in requirements:
            name, _, version = requirement.partition("==")
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                installed = None
            if installed != version:
                missing.append(requirement)
        # The test decides which may differ (a pin that keeps the Pipelines image's own FastAPI working).
        result["not_in_venv"] = missing

        spec = importlib.util.spec_from_file_location(file.stem, file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        pipeline = module.Pipeline()
        asyncio.run(pipeline.on_startup())
        messages = [{"role": "user", "content": QUESTION}]
        started = time.monotonic()
        answer = pipeline.pipe(user_message=QUESTION, model_id=file.stem, messages=messages, body={"model": file.stem, "messages": messages, "stream": False})
        result["seconds"] = round(time.monotonic() - started, 2)
        result["answer"] = answer if isinstance(answer, str) else "".join(answer)
        asyncio.run(pipeline.on_shutdown())
    except Exception:
        result["error"] = traceback.format_exc()
    finally:
        if mcpo is not None:
            mcpo.terminate()
            mcpo.wait(timeout=10)
        result["mcpo_log"] = (work / "mcpo.log").read_text() if (work / "mcpo.log").exists() else ""
    sys.stdout.write(json.dumps(result, default=str))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
