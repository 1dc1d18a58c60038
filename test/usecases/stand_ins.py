"""Stand-ins for the GPU model servers, written for the use-case tests: vLLM (OpenAI-compatible chat completions)
and Hugging Face TEI (embeddings, rerank). They are not the real servers. They run as one HTTP forward proxy: the
code under test keeps the exact URLs its deployment rendered (http://<service>.<namespace>.svc.cluster.local:...)
and reaches them through HTTP_PROXY, so each recorded request carries the full URL the code called.

Answers are deterministic and small: embeddings hash words into EMBEDDING_DIM buckets (similar texts land near each
other), rerank scores count shared words, and the chat model answers with the first context passage it was given; GET /v1/models names the served model.
"""

import hashlib
import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def embed(text: str, dim: int) -> list[float]:
    vector = [0.0] * dim
    for word in words(text):
        bucket = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big") % dim
        vector[bucket] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def overlap(query: str, text: str) -> float:
    q = set(words(query))
    return len(q & set(words(text))) / (len(q) or 1)


class Recorder:
    def __init__(self, embedding_dim: int, served_model: str) -> None:
        self.embedding_dim = embedding_dim
        self.served_model = served_model
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    def record(self, method: str, url: str, headers: dict, body: object) -> None:
        with self.lock:
            self.requests.append({"method": method, "url": url, "headers": headers, "body": body})


def chat_answer(body: dict) -> dict:
    messages = body.get("messages", [])
    system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
    passages = re.findall(r"^\[1\] (.*)$", system if isinstance(system, str) else json.dumps(system), re.MULTILINE)
    text = "According to the context: " + passages[0] if passages else "I do not know."
    return {
        "id": "chatcmpl-stand-in",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def make_handler(recorder: Recorder) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def reply(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def target(self) -> str:
            # Through a proxy the request line holds the absolute URL; a direct call only the path.
            return self.path if "://" in self.path else "http://" + str(self.headers.get("Host")) + self.path

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = self.target()
            recorder.record("GET", url, {k.lower(): v for k, v in self.headers.items()}, None)
            if urlsplit(url).path == "/v1/models":
                self.reply(200, {"object": "list", "data": [{"id": recorder.served_model, "object": "model"}]})
            else:
                self.reply(404, {"error": "the stand-in serves no GET " + urlsplit(url).path})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            url = self.target()
            recorder.record("POST", url, {k.lower(): v for k, v in self.headers.items()}, body)
            path = urlsplit(url).path
            # The routes the real servers serve: vLLM's OpenAI API under /v1, TEI's embed at / and /embed, /rerank.
            if path == "/v1/chat/completions" and isinstance(body, dict):
                self.reply(200, chat_answer(body))
            elif path == "/rerank" and isinstance(body, dict):
                scores = [{"index": i, "score": overlap(body["query"], t)} for i, t in enumerate(body["texts"])]
                self.reply(200, sorted(scores, key=lambda s: -s["score"]))
            elif path in ("", "/", "/embed") and isinstance(body, dict):
                inputs = body["inputs"]
                texts = [inputs] if isinstance(inputs, str) else inputs
                self.reply(200, [embed(t, recorder.embedding_dim) for t in texts])
            else:
                self.reply(404, {"error": "the stand-in serves no " + path, "error_type": "Unknown"})

    return Handler


def start(embedding_dim: int, served_model: str) -> "tuple[ThreadingHTTPServer, Recorder]":
    recorder = Recorder(embedding_dim, served_model)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(recorder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, recorder
