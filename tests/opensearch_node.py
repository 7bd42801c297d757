"""Run real OpenSearch nodes on 127.0.0.1 for tests and benchmarks -- standard library only.

Credit: written as ``osnode.py`` in the feasibility study for issue 18 (fetching OpenSearch
2.19.6 from Maven Central, running it as root through a user namespace, 3-node clusters and
SIGKILL); brought into the project unchanged apart from this docstring and the name.
Used by ``tests/conftest.py`` (the ``opensearch_node`` fixture) and ``bench/scale.py``.

The server comes from Maven Central as the "integ-test-zip" distribution
(``org.opensearch.distribution.integ-test-zip:opensearch:<ver>:zip``), fetched
with ``mvn`` into a cache directory.  That zip has no bundled JDK, only the
``transport-netty4`` module and no plugins; ``ensure_distribution`` adds the
``analysis-common`` module from its Maven jar by default (``DEFAULT_MODULES``: the
project's stats index uses its ``delimited_term_freq`` filter, and every full
distribution carries it).

Typical use::

    import opensearch_node as osnode
    dist = osnode.ensure_distribution()
    with osnode.start_node(dist, base_dir, "n1") as node:
        node.request("PUT", "/idx", {"mappings": {...}})

    with osnode.start_cluster(3) as cluster:
        cluster.nodes[0].kill()           # SIGKILL
        cluster.wait_for_status("yellow", nodes=2)

Running as root: OpenSearch refuses to start as root ("can not run opensearch
as root"; there is no override flag in 2.x/3.x).  When euid is 0 the node is
started either

* ``userns`` (preferred): inside a fresh user namespace (``unshare --user``)
  where the process sees itself as uid 65534 while the kernel still grants
  file access as the owner (root), so no user, chown or directory-permission
  juggling is needed, or
* ``user``: as a dedicated unprivileged system user (default ``opensearch``,
  created with ``useradd`` if missing), with the node directory chowned to it.
  Then the distribution and the node's base_dir must be reachable by that user
  (``/root`` and pytest's ``tmp_path`` are mode 0700 and are not!).

``OSNODE_ROOT_STRATEGY=auto|userns|user`` chooses (auto = userns if the kernel
allows it, otherwise user); ``OSNODE_USER`` names the user.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import weakref
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

DEFAULT_VERSION = os.environ.get("OSNODE_VERSION", "2.19.6")
DIST_GROUP = "org.opensearch.distribution.integ-test-zip"
PLUGIN_GROUP = "org.opensearch.plugin"
# Modules (published on Maven Central as plain jars) that can be added to the
# distribution: name -> plugin class.  analysis-common gives the configurable
# tokenizers/filters (whitespace tokenizer, asciifolding, ...).
KNOWN_MODULES = {"analysis-common": "org.opensearch.analysis.common.CommonAnalysisPlugin"}
# what a full distribution has and vnarchive's index needs (indexer.opensearch.mapping.MODULES)
DEFAULT_MODULES = ("analysis-common",)

__all__ = [
    "OpenSearchError", "DistributionError", "NodeStartError", "Node", "Cluster",
    "ensure_distribution", "start_node", "start_cluster", "free_port",
    "find_java_home", "default_cache_dir",
]


class OpenSearchError(RuntimeError):
    pass


class DistributionError(OpenSearchError):
    pass


class NodeStartError(OpenSearchError):
    pass


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #

def _is_root() -> bool:
    return os.geteuid() == 0


def default_cache_dir() -> Path:
    """``$OSNODE_CACHE`` or ``$XDG_CACHE_HOME/vnarchive/opensearch`` (~/.cache)."""
    env = os.environ.get("OSNODE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vnarchive" / "opensearch"


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _free_ports(n: int) -> list[int]:
    # hold all sockets open at once so the n ports are distinct
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    try:
        m = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', release.read_text(), re.M)
    except OSError:
        m = None
    if m:
        major = int(m.group(1))
        return int(m.group(2)) if major == 1 and m.group(2) else major
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def _required_java(version: str) -> int:
    return 21 if int(version.split(".")[0]) >= 3 else 11


def _max_java(version: str) -> int | None:
    # 2.x installs a SecurityManager, which Java 24+ no longer allows
    return None if int(version.split(".")[0]) >= 3 else 23


def find_java_home(min_major: int = 11, max_major: int | None = None) -> Path:
    """First JDK with ``bin/java`` and min_major <= major <= max_major among
    $OPENSEARCH_JAVA_HOME, $JAVA_HOME, the ``java`` on PATH, /usr/lib/jvm/*."""
    cands: list[Path] = []
    for var in ("OPENSEARCH_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            cands.append(Path(os.environ[var]))
    java = shutil.which("java")
    if java:
        cands.append(Path(os.path.realpath(java)).parent.parent)
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        cands.extend(sorted((p for p in jvm.iterdir() if p.is_dir()), reverse=True))
    seen = set()
    for c in cands:
        c = Path(os.path.realpath(c))
        if c in seen or not (c / "bin" / "java").exists():
            continue
        seen.add(c)
        major = _java_major(c)
        if major is not None and major >= min_major and (max_major is None or major <= max_major):
            return c
    want = f">= {min_major}" + (f" and <= {max_major}" if max_major else "")
    raise DistributionError(
        f"no Java {want} found (looked at {', '.join(map(str, seen)) or 'nothing'}); "
        "install a JDK or set OPENSEARCH_JAVA_HOME")


def _mvn_copy(artifact: str, out_dir: Path) -> None:
    mvn = shutil.which("mvn")
    if not mvn:
        raise DistributionError("`mvn` not found on PATH (apt-get install maven); "
                                f"it is needed to fetch {artifact} from Maven Central")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        raise DistributionError("`java` not found on PATH and JAVA_HOME unset; mvn needs a JDK")
    cmd = [mvn, "-B", "-q", "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
           f"-Dartifact={artifact}", f"-DoutputDirectory={out_dir}"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        tail = "\n".join((p.stdout + p.stderr).strip().splitlines()[-15:])
        raise DistributionError(f"mvn could not fetch {artifact} (exit {p.returncode}):\n{tail}")


def _extract_zip(zip_path: Path, dest: Path) -> None:
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = dest / info.filename
            zf.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                os.chmod(target, mode)


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _add_module(dist: Path, version: str, name: str) -> None:
    mod_dir = dist / "modules" / name
    if (mod_dir / "plugin-descriptor.properties").exists():
        return
    if name not in KNOWN_MODULES:
        raise DistributionError(f"unknown module {name!r}; known: {sorted(KNOWN_MODULES)}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=dist / "modules"))
    try:
        # Only the jar is on Maven Central (no module zip, and opensearch-plugin
        # refuses to install "analysis-common" as a plugin: it is a system
        # module), so write the descriptor ourselves.
        _mvn_copy(f"{PLUGIN_GROUP}:{name}:{version}:jar", tmp)
        (tmp / "plugin-descriptor.properties").write_text(
            f"description={name} module (from Maven Central jar)\n"
            f"version={version}\nname={name}\nclassname={KNOWN_MODULES[name]}\n"
            f"java.version={_required_java(version)}\nopensearch.version={version}\n"
            "extended.plugins=\nhas.native.controller=false\n")
        os.chmod(tmp, 0o755)
        os.rename(tmp, mod_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def ensure_distribution(cache_dir: str | os.PathLike | None = None,
                        version: str = DEFAULT_VERSION,
                        modules: Iterable[str] = DEFAULT_MODULES) -> Path:
    """Return the home of an unpacked OpenSearch ``version`` (``.../opensearch-<ver>``).

    Idempotent and safe against concurrent callers (file lock); downloads with
    ``mvn dependency:copy`` only when ``<cache_dir>/<version>`` is incomplete.
    ``modules`` (default ``DEFAULT_MODULES``) are added from their Maven jars.
    """
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    root = cache / version
    home = root / f"opensearch-{version}"
    marker = root / ".complete"
    with _locked(cache / f".{version}.lock"):
        if not (marker.exists() and (home / "bin" / "opensearch").exists()):
            if root.exists():
                shutil.rmtree(root)
            work = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=cache))
            try:
                _mvn_copy(f"{DIST_GROUP}:opensearch:{version}:zip", work / "dl")
                zips = list((work / "dl").glob("*.zip"))
                if len(zips) != 1:
                    raise DistributionError(f"expected one zip from mvn, got {zips}")
                _extract_zip(zips[0], work)
                shutil.rmtree(work / "dl")
                if not (work / f"opensearch-{version}" / "bin" / "opensearch").exists():
                    raise DistributionError(f"{zips[0].name} has no opensearch-{version}/bin/opensearch")
                os.chmod(work, 0o755)
                os.rename(work, root)
                marker.write_text(version + "\n")
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
        for m in modules:
            _add_module(home, version, m)
    return home


def _dist_version(dist: Path) -> str:
    jars = list((dist / "lib").glob("opensearch-[0-9]*.jar"))
    if jars:
        m = re.match(r"opensearch-(\d+\.\d+\.\d+)", jars[0].name)
        if m:
            return m.group(1)
    m = re.search(r"(\d+\.\d+\.\d+)", dist.name)
    return m.group(1) if m else DEFAULT_VERSION


# --------------------------------------------------------------------------- #
# running as root
# --------------------------------------------------------------------------- #

_USERNS_OK: bool | None = None


def _userns_available() -> bool:
    global _USERNS_OK
    if _USERNS_OK is None:
        unshare = shutil.which("unshare")
        ok = False
        if unshare:
            try:
                p = subprocess.run([unshare, "--user", "sh", "-c", "id -u"],
                                   capture_output=True, text=True, timeout=10)
                ok = p.returncode == 0 and p.stdout.strip() != "0"
            except (OSError, subprocess.TimeoutExpired):
                ok = False
        _USERNS_OK = ok
    return _USERNS_OK


def _ensure_user(name: str) -> tuple[int, int]:
    import pwd
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        p = subprocess.run([useradd, "--system", "--user-group", "--no-create-home",
                            "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
                           capture_output=True, text=True)
        if p.returncode not in (0, 9):  # 9 = already exists (race)
            raise NodeStartError(f"useradd {name} failed: {p.stderr.strip()}")
        pw = pwd.getpwnam(name)
    return pw.pw_uid, pw.pw_gid


def _root_strategy() -> str | None:
    """None when not root; else 'userns' or 'user'."""
    if not _is_root():
        return None
    s = os.environ.get("OSNODE_ROOT_STRATEGY", "auto")
    if s not in ("auto", "userns", "user"):
        raise NodeStartError(f"OSNODE_ROOT_STRATEGY must be auto|userns|user, not {s!r}")
    if s == "auto":
        s = "userns" if _userns_available() else "user"
    if s == "userns" and not _userns_available():
        raise NodeStartError("OSNODE_ROOT_STRATEGY=userns but `unshare --user` does not work here")
    return s


# --------------------------------------------------------------------------- #
# nodes
# --------------------------------------------------------------------------- #

_LIVE: "weakref.WeakSet[Node]" = weakref.WeakSet()


@atexit.register
def _kill_leftovers() -> None:
    for node in list(_LIVE):
        with contextlib.suppress(Exception):
            node.kill()


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http(method: str, url: str, body: Any = None, timeout: float = 30.0) -> tuple[int, Any]:
    data = None
    headers = {}
    if body is not None:
        if isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
            headers["Content-Type"] = "application/x-ndjson"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _NO_PROXY.open(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


class Node:
    """One running OpenSearch process (``bin/opensearch`` execs the JVM, so
    ``pid`` is the JVM; it leads its own process group)."""

    def __init__(self, name: str, home: Path, proc: subprocess.Popen, http_port: int,
                 transport_port: int, cluster_name: str):
        self.name = name
        self.home = home
        self.proc = proc
        self.http_port = http_port
        self.transport_port = transport_port
        self.cluster_name = cluster_name
        self.started_in: float | None = None  # seconds until HTTP answered
        self.owned_base: Path | None = None  # temp base_dir made by start_node
        self._launch: tuple[list[str], dict, dict] | None = None  # for restart()
        _LIVE.add(self)

    # -- info ---------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def log_path(self) -> Path:
        return self.home / "logs" / "stdout.log"

    def is_alive(self) -> bool:
        return self.proc.poll() is None

    def rss_bytes(self) -> int | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __repr__(self) -> str:
        state = "alive" if self.is_alive() else f"exited {self.proc.returncode}"
        return f"<Node {self.name} {self.url} pid={self.pid} {state}>"

    # -- HTTP ---------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, timeout: float = 30.0
                ) -> tuple[int, Any]:
        """(status, decoded JSON) -- body: dict/list -> JSON, str/bytes -> NDJSON."""
        return _http(method, self.url + path, body, timeout)

    def health(self, wait_for_status: str | None = None, nodes: int | None = None,
               timeout: str = "1s") -> dict:
        q = [f"timeout={timeout}"]
        if wait_for_status:
            q.append(f"wait_for_status={wait_for_status}")
        if nodes is not None:
            q.append(f"wait_for_nodes={nodes}")
        return self.request("GET", "/_cluster/health?" + "&".join(q), timeout=60)[1]

    # -- lifecycle ----------------------------------------------------------
    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 30.0, remove_data: bool = False) -> int | None:
        """SIGTERM (graceful), SIGKILL after ``timeout`` s; returns the exit code
        (143 = ended by SIGTERM, -9 = SIGKILLed).  ``remove_data`` deletes the
        node directory (and the temp base_dir start_node made, if any)."""
        if self.is_alive():
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait(10)
        self._signal(signal.SIGKILL)  # anything left in the group
        _LIVE.discard(self)
        if remove_data:
            self.remove_data()
        return self.proc.returncode

    def kill(self) -> int | None:
        """SIGKILL the whole process group at once (simulates a crash)."""
        self._signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        _LIVE.discard(self)
        return self.proc.returncode

    def restart(self, timeout: float = 120.0) -> "Node":
        """Start the (stopped or killed) node again with the same config, ports and
        data -- e.g. to let a killed cluster member rejoin."""
        if self.is_alive():
            raise OpenSearchError(f"{self.name} is still running")
        assert self._launch is not None
        cmd, env, kw = self._launch
        for stale in ("http.ports", "transport.ports"):
            with contextlib.suppress(FileNotFoundError):
                (self.home / "logs" / stale).unlink()
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.home, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, **kw)
        _LIVE.add(self)
        self.wait_until_up(timeout, t0)
        return self

    def remove_data(self) -> None:
        if self.is_alive():
            raise OpenSearchError(f"{self.name} is still running")
        shutil.rmtree(self.home, ignore_errors=True)
        if self.owned_base is not None:
            shutil.rmtree(self.owned_base, ignore_errors=True)

    def __enter__(self) -> "Node":
        return self

    def __exit__(self, *exc) -> None:
        # a node in a temp dir made by start_node leaves nothing behind
        self.stop(remove_data=self.owned_base is not None)

    # -- waiting ------------------------------------------------------------
    def wait_until_up(self, timeout: float, t0: float | None = None) -> None:
        """Wait for the portsfile and a 200 from ``GET /``."""
        t0 = t0 or time.monotonic()
        deadline = t0 + timeout
        ports = self.home / "logs" / "http.ports"
        while True:
            if not self.is_alive():
                raise NodeStartError(
                    f"OpenSearch node {self.name} exited with code {self.proc.returncode} "
                    f"during startup; last lines of {self.log_path}:\n{self.log_tail()}")
            if ports.exists():
                with contextlib.suppress(OSError, ValueError):
                    if _http("GET", self.url + "/", timeout=5)[0] == 200:
                        self.started_in = time.monotonic() - t0
                        return
            if time.monotonic() > deadline:
                self.kill()
                raise NodeStartError(
                    f"OpenSearch node {self.name} did not answer on {self.url} within "
                    f"{timeout:.0f}s (killed it); last lines of {self.log_path}:\n{self.log_tail()}")
            time.sleep(0.25)


def _yaml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(json.dumps(str(x)) for x in v) + "]"
    return json.dumps(str(v)) if isinstance(v, str) else str(v)


def _jvm_options(dist: Path, home: Path, heap: str) -> str:
    """The distribution's jvm.options with heap replaced and relative paths
    (logs/gc.log, HeapDumpPath=data) made absolute -- they are resolved
    against the cwd otherwise and the JVM fails to start."""
    out = [f"-Xms{heap}", f"-Xmx{heap}", "-XX:-UsePerfData"]  # no /tmp/hsperfdata_*
    logs = home / "logs"
    for line in (dist / "config" / "jvm.options").read_text().splitlines():
        s = line.strip()
        if not s or s.startswith("#") or re.match(r"^(\d+(-\d*)?:)?-Xm[sx]", s):
            continue
        if "HeapDumpOnOutOfMemoryError" in s or "HeapDumpPath" in s:
            continue  # a 512 MiB dump per crash is not wanted in tests
        s = s.replace("file=logs/", f"file={logs}/").replace("-Xloggc:logs/", f"-Xloggc:{logs}/")
        s = s.replace("ErrorFile=logs/", f"ErrorFile={logs}/")
        out.append(s)
    return "\n".join(out) + "\n"


def start_node(dist: str | os.PathLike, base_dir: str | os.PathLike | None, name: str,
               http_port: int | None = None, transport_port: int | None = None,
               seeds: Sequence[str] | None = None, initial_masters: Sequence[str] | None = None,
               heap: str = "512m", *, cluster_name: str = "vnarchive-test",
               settings: Mapping[str, Any] | None = None, java_home: str | os.PathLike | None = None,
               timeout: float = 120.0, wait: bool = True) -> Node:
    """Start ``<dist>/bin/opensearch`` as node ``name`` bound to 127.0.0.1.

    Files live in ``<base_dir>/<name>/{config,data,logs,tmp}`` (base_dir None ->
    a new temp dir).  Without ``seeds`` the node is ``discovery.type:
    single-node``; with them it uses ``discovery.seed_hosts`` and
    ``cluster.initial_cluster_manager_nodes`` (defaults to just this node).
    ``seeds`` are "host:port" transport addresses.  ``settings`` are extra
    opensearch.yml keys.  With ``wait`` it returns once the portsfile exists and
    HTTP answers (single-node: and health is yellow), else raises
    NodeStartError with the log tail.  The data directory survives ``stop()``
    (unless ``stop(remove_data=True)``); ``Node.restart()`` relaunches with the
    same config, ports and data.
    """
    dist = Path(dist).resolve()
    if not (dist / "bin" / "opensearch").exists():
        raise NodeStartError(f"{dist} is not an OpenSearch home (no bin/opensearch)")
    version = _dist_version(dist)
    jhome = Path(java_home) if java_home else find_java_home(_required_java(version), _max_java(version))
    owned_base = None
    if base_dir is None:
        base_dir = owned_base = Path(tempfile.mkdtemp(prefix="osnode-"))
        os.chmod(base_dir, 0o755)
    home = Path(base_dir).resolve() / name
    for sub in ("config", "data", "logs", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    for stale in ("http.ports", "transport.ports", "stdout.log"):
        with contextlib.suppress(FileNotFoundError):
            (home / "logs" / stale).unlink()

    if http_port is None or transport_port is None:
        hp, tp = _free_ports(2)
        http_port = http_port or hp
        transport_port = transport_port or tp

    conf: dict[str, Any] = {
        "cluster.name": cluster_name,
        "node.name": name,
        "path.data": str(home / "data"),
        "path.logs": str(home / "logs"),
        "network.host": "127.0.0.1",
        "http.port": http_port,
        "transport.port": transport_port,
        "node.portsfile": True,
        "cluster.routing.allocation.disk.watermark.low": "1b",
        "cluster.routing.allocation.disk.watermark.high": "1b",
        "cluster.routing.allocation.disk.watermark.flood_stage": "1b",
        "indices.breaker.total.use_real_memory": False,
        "action.destructive_requires_name": False,
    }
    if seeds:
        conf["discovery.seed_hosts"] = list(seeds)
        conf["cluster.initial_cluster_manager_nodes"] = list(initial_masters or [name])
    else:
        conf["discovery.type"] = "single-node"
    conf.update(settings or {})
    (home / "config" / "opensearch.yml").write_text(
        "".join(f"{k}: {_yaml_value(v)}\n" for k, v in conf.items()))
    (home / "config" / "jvm.options").write_text(_jvm_options(dist, home, heap))
    shutil.copy(dist / "config" / "log4j2.properties", home / "config" / "log4j2.properties")

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "OPENSEARCH_JAVA_HOME": str(jhome),
        "OPENSEARCH_PATH_CONF": str(home / "config"),
        "OPENSEARCH_TMPDIR": str(home / "tmp"),  # also skips one launcher JVM
        "OPENSEARCH_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
    }
    cmd = [str(dist / "bin" / "opensearch")]
    popen_kw: dict[str, Any] = {}
    strategy = _root_strategy()
    if strategy == "userns":
        cmd = [shutil.which("unshare") or "unshare", "--user", "--"] + cmd
    elif strategy == "user":
        uid, gid = _ensure_user(os.environ.get("OSNODE_USER", "opensearch"))
        for p in [home, *home.rglob("*")]:
            os.lchown(p, uid, gid)
        check = subprocess.run(
            ["/bin/sh", "-c", 'test -x "$1" && test -r "$2" && test -w "$3"', "sh",
             str(dist / "bin" / "opensearch"), str(jhome / "bin" / "java"), str(home / "data")],
            user=uid, group=gid, extra_groups=[])
        if check.returncode != 0:
            if owned_base is not None:
                shutil.rmtree(owned_base, ignore_errors=True)
            raise NodeStartError(
                f"user {os.environ.get('OSNODE_USER', 'opensearch')} cannot reach {dist} or "
                f"{home} (a parent directory is probably mode 0700, e.g. /root or pytest's "
                "tmp_path); use directories under a world-traversable path")
        popen_kw.update(user=uid, group=gid, extra_groups=[])

    t0 = time.monotonic()
    with open(home / "logs" / "stdout.log", "wb") as log:
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, **popen_kw)
    node = Node(name, home, proc, http_port, transport_port, cluster_name)
    node.owned_base = owned_base
    node._launch = (cmd, env, popen_kw)
    if wait:
        node.wait_until_up(timeout, t0)
        if not seeds:
            h = node.health("yellow", timeout=f"{max(1, int(timeout))}s")
            if h.get("timed_out") or h.get("status") not in ("yellow", "green"):
                node.kill()
                raise NodeStartError(f"{name} answered but health is {h}")
            node.started_in = time.monotonic() - t0
    return node


# --------------------------------------------------------------------------- #
# clusters
# --------------------------------------------------------------------------- #

class Cluster:
    def __init__(self, nodes: list[Node], base_dir: Path, started_in: float,
                 owned_base: bool = False):
        self.nodes = nodes
        self.base_dir = base_dir
        self.started_in = started_in
        self.owned_base = owned_base  # base_dir is a temp dir made by start_cluster

    @property
    def live_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.is_alive()]

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.live_nodes]

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30.0
                ) -> tuple[int, Any]:
        """Send to the first live node that answers (connection errors fall through)."""
        last: Exception | None = None
        for n in self.live_nodes:
            try:
                return n.request(method, path, body, timeout)
            except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
                last = e
        raise OpenSearchError(f"no live node answered {method} {path}: {last}")

    def wait_for_status(self, status: str = "green", nodes: int | None = None,
                        timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        nodes = len(self.live_nodes) if nodes is None else nodes
        last: Any = None
        while time.monotonic() < deadline:
            with contextlib.suppress(OpenSearchError, OSError, ValueError):
                st, last = self.request(
                    "GET", f"/_cluster/health?wait_for_status={status}&wait_for_nodes={nodes}"
                    "&timeout=5s", timeout=30)
                if st == 200 and not last.get("timed_out"):
                    return last
            time.sleep(0.5)
        raise OpenSearchError(f"cluster not {status} with {nodes} nodes after {timeout}s: {last}")

    def stop(self, remove_data: bool = False) -> None:
        for n in self.nodes:  # signal all first, then wait: faster than one by one
            if n.is_alive():
                n._signal(signal.SIGTERM)
        for n in self.nodes:
            n.stop()
        if remove_data:
            self.remove_data()

    def kill(self) -> None:
        for n in self.nodes:
            n.kill()

    def remove_data(self) -> None:
        for n in self.nodes:
            n.remove_data()
        if self.owned_base:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop(remove_data=self.owned_base)


def start_cluster(n: int = 3, dist: str | os.PathLike | None = None,
                  base_dir: str | os.PathLike | None = None, heap: str = "512m",
                  timeout: float = 180.0, wait_status: str | None = "green",
                  cluster_name: str = "vnarchive-test", **node_kw: Any) -> Cluster:
    """Start ``n`` cluster-manager-eligible data nodes ``node-0..node-{n-1}`` on
    127.0.0.1 (all launched at once), wait for each HTTP port, then for
    ``wait_status`` with ``n`` nodes.  n == 1 gives a single-node cluster."""
    dist = Path(dist) if dist else ensure_distribution()
    owned = base_dir is None
    if base_dir is None:
        base_dir = tempfile.mkdtemp(prefix="oscluster-")
        os.chmod(base_dir, 0o755)
    base = Path(base_dir)
    names = [f"node-{i}" for i in range(n)]
    ports = _free_ports(2 * n)
    http, transport = ports[:n], ports[n:]
    seeds = [f"127.0.0.1:{p}" for p in transport] if n > 1 else None
    t0 = time.monotonic()
    nodes: list[Node] = []
    try:
        for i, name in enumerate(names):
            nodes.append(start_node(dist, base, name, http[i], transport[i], seeds=seeds,
                                    initial_masters=names if seeds else None, heap=heap,
                                    cluster_name=cluster_name, timeout=timeout, wait=False,
                                    **node_kw))
        for node in nodes:
            node.wait_until_up(timeout - (time.monotonic() - t0), t0)
        cluster = Cluster(nodes, base, 0.0, owned)
        if wait_status:
            cluster.wait_for_status(wait_status, n, max(5.0, timeout - (time.monotonic() - t0)))
        cluster.started_in = time.monotonic() - t0
        return cluster
    except BaseException:
        for node in nodes:
            node.kill()
        if owned:
            shutil.rmtree(base, ignore_errors=True)
        raise
