"""The report ``python -m nndl run ch7 --out DIR`` writes into DIR at the end.

Files (DIR/<script name>/ holds each script's figures, ``results.json``,
``stdout.txt`` and ``stderr.txt``):

- ``report.json``  the key numbers: every script's ``results.json`` in run order,
  with its label, title and status.  Deterministic: the same seed gives the
  same bytes on the same CPU build (wall times are moved out, see below).
- ``run.json``     what changes from run to run: per-script status, exit code and
  seconds, total time, the date, the command, python/paddle versions and the device.
  A ``results.json`` key, at any depth, that names a wall time (``time``, ``*_time``,
  ``seconds``, ``*_seconds``, ``elapsed``, ``wall_s``, ``duration``...) is moved here too.
- ``index.md``     the index page: a table of the scripts, then per script its
  key numbers, figures (PNG links) and printed output.
- ``index.html``   the same page, self-contained (figures embedded as data URIs).

Nothing here imports paddle except :func:`environment` (for the device), called once.
"""
import base64
import html
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

__all__ = ["write_report", "split_volatile", "environment"]

# results.json keys that hold wall-clock times: not reproducible, so kept out of report.json
_VOLATILE = re.compile(r"(^|_)(time|times|timing|timings|seconds|secs|sec|elapsed|wall|wall_s|duration|"
                       r"runtime|time_s|time_sec)$", re.IGNORECASE)

MAX_OUTPUT_LINES = 300   # printed output shown per script on the index page (all of it is in stdout.txt)


def split_volatile(results, _prefix=""):
    """Split a ``results.json`` dict into (deterministic, volatile) by key name, at any depth.

    ``volatile`` maps dotted paths to the wall times taken out, e.g. ``{"runs.bs16.seconds": 3.1}``.
    """
    keep, volatile = {}, {}
    for k, v in results.items():
        path = f"{_prefix}{k}"
        if _VOLATILE.search(str(k)):
            volatile[path] = v
        elif isinstance(v, dict):
            keep[k], inner = split_volatile(v, path + ".")
            volatile.update(inner)
        else:
            keep[k] = v
    return keep, volatile


def _read_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_text(path):
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def environment():
    """Python, paddle and the device the scripts ran on (paddle is imported here, once)."""
    env = {"python": platform.python_version(), "platform": platform.platform(),
           "cpu": _cpu_name(), "cpu_count": os.cpu_count()}
    try:
        import nndl.app.script  # noqa: F401  (warning filters before paddle)
        import paddle
        from nndl.utils import default_device
        env["paddle"] = paddle.__version__
        env["device"] = default_device()
        if env["device"].startswith("gpu"):
            env["gpu"] = paddle.device.cuda.get_device_name()
    except Exception as exc:   # the report must not fail for want of a device name
        env["device_error"] = repr(exc)
    try:
        import nndl
        env["nndl"] = nndl.__version__
    except Exception:
        pass
    return env


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _flatten(obj, prefix=""):
    """Nested dicts -> [(dotted key, value)]."""
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            items.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return items
    return [(prefix, obj)]


def _short(value, limit=8):
    """A value as text for the index page; long lists are elided (report.json has them all)."""
    if isinstance(value, list):
        if len(value) > limit:
            head = ", ".join(_short(v, limit) for v in value[:3])
            tail = ", ".join(_short(v, limit) for v in value[-2:])
            return f"[{head}, ..., {tail}] ({len(value)} values)"
        return "[" + ", ".join(_short(v, limit) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.6g}"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _entries(out, statuses):
    entries = []
    for st in statuses:
        folder = Path(out) / st["name"]
        results = _read_json(folder / "results.json") if st["status"] == "ok" else None
        keep, volatile = split_volatile(results) if isinstance(results, dict) else (results, {})
        entries.append({
            "status": st, "results": keep, "volatile": volatile, "folder": folder,
            "stdout": _read_text(folder / "stdout.txt"), "stderr": _read_text(folder / "stderr.txt"),
            "figures": [f for f in (keep or {}).get("figures", []) if f.lower().endswith(".png")],
        })
    return entries


def write_report(out, statuses, chapter=None, quick=True, command=None, started=None, env=None):
    """Write report.json, run.json, index.md and index.html into ``out``; return their paths.

    ``statuses``: the list of dicts of :func:`nndl.app.cli.run_script` (name, label, title,
    kind, status, returncode, seconds), in run order.
    """
    out = Path(out)
    entries = _entries(out, statuses)
    mode = "quick" if quick else "full"
    report = {
        "chapter": chapter, "mode": mode,
        "sections": [{"name": e["status"]["name"], "label": e["status"]["label"], "title": e["status"]["title"],
                      "kind": e["status"]["kind"], "status": e["status"]["status"], "results": e["results"]}
                     for e in entries],
    }
    env = environment() if env is None else env
    run = {
        "chapter": chapter, "mode": mode, "command": command,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)) if started else None,
        "total_seconds": round(sum(st["seconds"] for st in statuses), 2),
        "ok": sum(st["status"] == "ok" for st in statuses), "failed": [st["name"] for st in statuses
                                                                      if st["status"] != "ok"],
        "environment": env,
        "sections": [dict(st, volatile=e["volatile"]) for st, e in zip(statuses, entries)],
    }
    paths = {"json": out / "report.json", "run": out / "run.json",
             "markdown": out / "index.md", "html": out / "index.html"}
    _write(paths["json"], json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    _write(paths["run"], json.dumps(run, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    _write(paths["markdown"], _markdown(entries, run))
    _write(paths["html"], _html(entries, run))
    return paths


def _write(path, text):
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _heading(run):
    env = run["environment"]
    device = env.get("gpu") or env.get("device", "?")
    return (f"{run['chapter'] or 'chapter'} results ({run['mode']} mode)",
            f"{run['ok']}/{len(run['sections'])} ok, {run['total_seconds']:.1f} s in all, started {run['started']}; "
            f"device {device} ({env.get('cpu', '?')}, {env.get('cpu_count', '?')} CPUs), "
            f"paddle {env.get('paddle', '?')}, python {env.get('python', '?')}")


def _output_excerpt(text):
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= MAX_OUTPUT_LINES:
        return "\n".join(lines), 0
    return "\n".join(lines[:MAX_OUTPUT_LINES]), len(lines) - MAX_OUTPUT_LINES


def _anchor(st):
    return re.sub(r"[^a-z0-9_-]", "-", st["name"].lower())


def _markdown(entries, run):
    title, sub = _heading(run)
    lines = [f"# {title}", "", sub, ""]
    if run.get("command"):
        lines += [f"Produced by `{run['command']}`. Key numbers: [report.json](report.json); "
                  f"timings and environment: [run.json](run.json).", ""]
    lines += ["| # | section | script | status | seconds |", "|---|---|---|---|---|"]
    for i, e in enumerate(entries, 1):
        st = e["status"]
        lines.append(f"| {i} | {st['label']} {st['title']} | [{st['name']}](#{_anchor(st)}) | "
                     f"{st['status']} | {st['seconds']:.1f} |")
    lines.append("")
    for e in entries:
        st = e["status"]
        lines += [f"<a id=\"{_anchor(st)}\"></a>", "", f"## {st['label']} {st['title']}".rstrip(), "",
                  f"`{st['name']}`: **{st['status']}** in {st['seconds']:.1f} s. Files: [{st['name']}/]({st['name']}/)", ""]
        if st["status"] != "ok":
            lines += ["Error output (last lines, all of it in "
                      f"[{st['name']}/stderr.txt]({st['name']}/stderr.txt)):", "", "```text",
                      "\n".join(e["stderr"].rstrip().splitlines()[-40:]), "```", ""]
        if e["results"]:
            rows = [(k, v) for k, v in _flatten(e["results"]) if k not in ("section", "figures")]
            if rows:
                lines += ["| key | value |", "|---|---|"]
                lines += [f"| {k} | {_short(v)} |".replace("\n", " ") for k, v in rows]
                lines.append("")
        for fig in e["figures"]:
            lines += [f"![{fig}]({st['name']}/{fig})", ""]
        text, more = _output_excerpt(e["stdout"])
        if text:
            lines += ["Printed output:", "", "```text", text, "```", ""]
            if more:
                lines += [f"({more} more lines in [{st['name']}/stdout.txt]({st['name']}/stdout.txt))", ""]
    return "\n".join(lines).rstrip() + "\n"


_CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;
vertical-align:top}pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:85%}
img{max-width:100%;border:1px solid #eee;margin:.3em 0}.ok{color:#060}.bad{color:#b00;font-weight:bold}"""


def _img_data(path):
    try:
        return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")
    except OSError:
        return ""


def _html(entries, run):
    esc = html.escape
    title, sub = _heading(run)
    parts = ["<!DOCTYPE html>", "<html lang=\"zh\"><head><meta charset=\"utf-8\">", f"<title>{esc(title)}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>{esc(title)}</h1>", f"<p>{esc(sub)}</p>"]
    if run.get("command"):
        parts.append(f"<p>Produced by <code>{esc(run['command'])}</code>. Key numbers: "
                     "<a href=\"report.json\">report.json</a>; timings and environment: "
                     "<a href=\"run.json\">run.json</a>.</p>")
    parts.append("<table><tr><th>#</th><th>section</th><th>script</th><th>status</th><th>seconds</th></tr>")
    for i, e in enumerate(entries, 1):
        st = e["status"]
        cls = "ok" if st["status"] == "ok" else "bad"
        parts.append(f"<tr><td>{i}</td><td>{esc(st['label'])} {esc(st['title'])}</td>"
                     f"<td><a href=\"#{_anchor(st)}\">{esc(st['name'])}</a></td>"
                     f"<td class=\"{cls}\">{esc(st['status'])}</td><td>{st['seconds']:.1f}</td></tr>")
    parts.append("</table>")
    for e in entries:
        st = e["status"]
        cls = "ok" if st["status"] == "ok" else "bad"
        parts.append(f"<h2 id=\"{_anchor(st)}\">{esc(st['label'])} {esc(st['title'])}</h2>")
        parts.append(f"<p><code>{esc(st['name'])}</code>: <span class=\"{cls}\">{esc(st['status'])}</span> "
                     f"in {st['seconds']:.1f} s. Files: <a href=\"{esc(st['name'])}/\">{esc(st['name'])}/</a></p>")
        if st["status"] != "ok":
            err = "\n".join(e["stderr"].rstrip().splitlines()[-40:])
            parts.append(f"<p>Error output (last lines):</p><pre>{esc(err)}</pre>")
        if e["results"]:
            rows = [(k, v) for k, v in _flatten(e["results"]) if k not in ("section", "figures")]
            if rows:
                parts.append("<table><tr><th>key</th><th>value</th></tr>" + "".join(
                    f"<tr><td>{esc(k)}</td><td>{esc(_short(v))}</td></tr>" for k, v in rows) + "</table>")
        for fig in e["figures"]:
            data = _img_data(e["folder"] / fig)
            if data:
                parts.append(f"<figure><img alt=\"{esc(fig)}\" src=\"{data}\"><figcaption>{esc(fig)}"
                             "</figcaption></figure>")
        text, more = _output_excerpt(e["stdout"])
        if text:
            parts.append(f"<details open><summary>Printed output</summary><pre>{esc(text)}</pre>"
                         + (f"<p>({more} more lines in {esc(st['name'])}/stdout.txt)</p>" if more else "")
                         + "</details>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
