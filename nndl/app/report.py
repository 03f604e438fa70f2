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
- ``index.md``     the index page: what quick mode means, a table of the scripts by chapter
  in the book's order, every claim of the run (the book's words, what this run measured,
  supported / NOT supported / not shown), then per script its data notes (synthetic
  stand-ins), claims, key numbers (a few shown, the rest folded), figures, animations and
  printed output.
- ``index.html``   the same page, self-contained (figures and GIF animations embedded as data URIs).

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

__all__ = ["write_report", "split_volatile", "environment", "book_order"]

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


CHAPTER_TITLES = {
    1: "实践基础", 2: "机器学习概述", 3: "线性分类", 4: "前馈神经网络",
    5: "卷积神经网络", 6: "循环神经网络", 7: "网络优化与正则化", 8: "注意力机制",
}

# A section script whose slug starts with one of these and whose number is the prefix of other
# scripts' numbers (ch7_6_appendix_l2decay, ch7_6_seeds_table) comes after those subsections.
_AFTER_SUBSECTIONS = ("seeds", "summary", "appendix")

_SECTION_RE = re.compile(r"^ch(\d+)_((?:\d+_)*\d+)(?:_(.*))?$")
_EXERCISE_RE = re.compile(r"^ch(\d+)_ex(\d+)(?:_(.*))?$")

QUICK_NOTE = ("Quick mode: every section ran at small sizes (fewer samples, epochs and steps) so the whole "
              "book runs in minutes on a CPU. Its numbers are small-size runs, not the book's results; "
              "the claims below say which of the book's claims even these small runs show. "
              "`python -m nndl run <chapter> --full` runs the book's sizes.")
FULL_NOTE = "Full mode: the book's sizes."
KEYS_NOTE = ("Keys named `book_*` hold the numbers the book prints (`book_R0`: the notebook rendering of the "
             "book's code; `book_R1`: the printed book, where the two differ); the other keys are this run's.")
VERDICT_MARK = {"supported": "✔ supported", "NOT supported": "✘ NOT supported", "not shown": "– not shown"}

MAX_KEYS = 12   # key numbers shown at once per section; the rest sit in a folded table


def _parse_name(name):
    """(chapter, is_exercise, numbers, slug) of a script name; chapter 99 for names that fit no pattern."""
    m = _EXERCISE_RE.match(name)
    if m:
        return int(m.group(1)), True, (int(m.group(2)),), m.group(3) or ""
    m = _SECTION_RE.match(name)
    if m:
        return int(m.group(1)), False, tuple(int(n) for n in m.group(2).split("_")), m.group(3) or ""
    return 99, False, (), name


def book_order(statuses):
    """``statuses`` sorted in the book's order: chapters 1-8; within a chapter the sections by
    their numbers (7.3.1 < 7.3.2 < 7.10), then the exercises by number; a summary or appendix
    script numbered like its parent section (7.6 seeds table, 7.6 appendix) after that section's
    subsections, the appendix last."""
    parsed = {st["name"]: _parse_name(st["name"]) for st in statuses}
    numbers = [(ch, nums) for ch, ex, nums, _ in parsed.values() if not ex]

    def key(st):
        ch, ex, nums, slug = parsed[st["name"]]
        rank = 0
        if not ex and slug.startswith(_AFTER_SUBSECTIONS):
            has_children = any(c == ch and len(n) > len(nums) and n[:len(nums)] == nums for c, n in numbers)
            if has_children:
                rank = 1 + _AFTER_SUBSECTIONS.index(next(p for p in _AFTER_SUBSECTIONS if slug.startswith(p)))
        return (ch, ex, nums + ((10 ** 6, rank) if rank else ()), st["name"])

    return sorted(statuses, key=key)


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


_NOT_KEYS = ("section", "figures", "claims", "data_notes", "quick")


def _key_rows(results):
    """(shown, folded): the key numbers of a section; top-level scalars and short lists first."""
    rows = [(k, v) for k, v in _flatten({k: v for k, v in results.items() if k not in _NOT_KEYS})]

    def weight(kv):
        k, v = kv
        return (k.count("."), isinstance(v, list))
    rows = sorted(rows, key=weight)   # stable: keeps the script's order within a weight
    return rows[:MAX_KEYS], rows[MAX_KEYS:]


def _claims(results):
    claims = results.get("claims") if isinstance(results, dict) else None
    return [c for c in claims if isinstance(c, dict)] if isinstance(claims, list) else []


def _data_notes(results):
    notes = results.get("data_notes") if isinstance(results, dict) else None
    return [str(n) for n in notes] if isinstance(notes, list) else []


def _entries(out, statuses):
    entries = []
    for st in book_order(statuses):
        folder = Path(out) / st["name"]
        results = _read_json(folder / "results.json") if st["status"] == "ok" else None
        keep, volatile = split_volatile(results) if isinstance(results, dict) else (results, {})
        figures = [f for f in (keep or {}).get("figures", []) if isinstance(f, str)]
        entries.append({
            "status": st, "results": keep, "volatile": volatile, "folder": folder,
            "stdout": _read_text(folder / "stdout.txt"), "stderr": _read_text(folder / "stderr.txt"),
            "figures": [f for f in figures if f.lower().endswith(".png")],
            "animations": [f for f in figures if f.lower().endswith(".gif")],
            "claims": _claims(keep), "data_notes": _data_notes(keep),
            "chapter": _parse_name(st["name"])[0],
        })
    return entries


def _all_claims(entries):
    """One row per claim of the run: section label, title, name, and the claim's fields."""
    rows = []
    for e in entries:
        st = e["status"]
        for c in e["claims"]:
            rows.append({"label": st["label"], "title": st["title"], "name": st["name"],
                         "book": c.get("book", ""), "measured": c.get("measured", ""),
                         "supported": c.get("supported"), "verdict": c.get("verdict", "not shown"),
                         "note": c.get("note", "")})
    return rows


def _claim_counts(rows):
    counts = {"supported": 0, "NOT supported": 0, "not shown": 0}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    return counts


def write_report(out, statuses, chapter=None, quick=True, command=None, started=None, env=None):
    """Write report.json, run.json, index.md and index.html into ``out``; return their paths.

    ``statuses``: the list of dicts of :func:`nndl.app.cli.run_script` (name, label, title,
    kind, status, returncode, seconds), in any order: the report lists them in the book's
    order (:func:`book_order`).
    """
    out = Path(out)
    entries = _entries(out, statuses)
    mode = "quick" if quick else "full"
    claims = _all_claims(entries)
    report = {
        "chapter": chapter, "mode": mode,
        "note": QUICK_NOTE if quick else FULL_NOTE,
        "claims": claims, "claim_counts": _claim_counts(claims),
        "sections": [{"name": e["status"]["name"], "label": e["status"]["label"], "title": e["status"]["title"],
                      "kind": e["status"]["kind"], "status": e["status"]["status"], "results": e["results"]}
                     for e in entries],
    }
    env = environment() if env is None else env
    ordered = [e["status"] for e in entries]
    run = {
        "chapter": chapter, "mode": mode, "command": command,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)) if started else None,
        "total_seconds": round(sum(st["seconds"] for st in ordered), 2),
        "ok": sum(st["status"] == "ok" for st in ordered), "failed": [st["name"] for st in ordered
                                                                     if st["status"] != "ok"],
        "environment": env,
        "sections": [dict(st, volatile=e["volatile"]) for st, e in zip(ordered, entries)],
    }
    paths = {"json": out / "report.json", "run": out / "run.json",
             "markdown": out / "index.md", "html": out / "index.html"}
    _write(paths["json"], json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    _write(paths["run"], json.dumps(run, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    _write(paths["markdown"], _markdown(entries, run, claims))
    _write(paths["html"], _html(entries, run, claims))
    return paths


def _write(path, text):
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _chapters_label(chapter, entries):
    chs = sorted({e["chapter"] for e in entries if e["chapter"] != 99})
    if chapter == "all":
        return "The whole book"
    if chapter:
        return str(chapter)
    if len(chs) == 1:
        return f"ch{chs[0]}"
    return "the book" if chs else "chapter"


def _heading(run, entries=()):
    env = run["environment"]
    device = env.get("gpu") or env.get("device", "?")
    what = _chapters_label(run["chapter"], entries)
    return (f"{what} results ({run['mode']} mode)",
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


def _chapter_groups(entries):
    """[(chapter number, title, entries)] for chapters 1-8 (each, when the run spans several
    chapters; empty ones say so) and any other chapter numbers present."""
    present = sorted({e["chapter"] for e in entries})
    spans = len([c for c in present if c in CHAPTER_TITLES]) > 1
    chapters = sorted(set(CHAPTER_TITLES) | set(present)) if spans else present
    return [(c, CHAPTER_TITLES.get(c, "other scripts" if c == 99 else ""),
             [e for e in entries if e["chapter"] == c]) for c in chapters]


def _md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _markdown(entries, run, claims):
    title, sub = _heading(run, entries)
    lines = [f"# {title}", "", sub, ""]
    lines += [f"> **{QUICK_NOTE if run['mode'] == 'quick' else FULL_NOTE}**", ""]
    if run.get("command"):
        lines += [f"Produced by `{run['command']}`. Key numbers: [report.json](report.json); "
                  f"timings and environment: [run.json](run.json).", ""]
    counts = _claim_counts(claims)
    lines += ["| # | section | script | status | claims | seconds |", "|---|---|---|---|---|---|"]
    i = 0
    for ch, ch_title, group in _chapter_groups(entries):
        lines.append(f"| | **第{ch}章 {ch_title}** | | {'' if group else 'not in this run'} | | |")
        for e in group:
            i += 1
            st = e["status"]
            cl = _claim_counts(_all_claims([e]))
            ctext = ", ".join(f"{n} {v}" for v, n in cl.items() if n) or "-"
            lines.append(f"| {i} | {st['label']} {_md_cell(st['title'])} | [{st['name']}](#{_anchor(st)}) | "
                         f"{st['status']} | {ctext} | {st['seconds']:.1f} |")
    lines.append("")
    lines += ["## The book's claims and this run", "",
              f"{counts['supported']} supported, {counts['NOT supported']} not supported, "
              f"{counts['not shown']} not shown by this run.", ""]
    if claims:
        lines += ["| section | the book says | this run measured | verdict | note |", "|---|---|---|---|---|"]
        lines += [f"| [{r['label']}](#{_anchor(r)}) | {_md_cell(r['book'])} | {_md_cell(r['measured'])} | "
                  f"{VERDICT_MARK.get(r['verdict'], r['verdict'])} | {_md_cell(r['note'])} |" for r in claims]
        lines.append("")
    lines += [KEYS_NOTE, ""]
    for e in entries:
        st = e["status"]
        lines += [f"<a id=\"{_anchor(st)}\"></a>", "", f"## {st['label']} {st['title']}".rstrip(), "",
                  f"`{st['name']}`: **{st['status']}** in {st['seconds']:.1f} s. Files: [{st['name']}/]({st['name']}/)", ""]
        for note in e["data_notes"]:
            lines += [f"> **Data:** {note}", ""]
        if st["status"] != "ok":
            lines += ["Error output (last lines, all of it in "
                      f"[{st['name']}/stderr.txt]({st['name']}/stderr.txt)):", "", "```text",
                      "\n".join(e["stderr"].rstrip().splitlines()[-40:]), "```", ""]
        if e["claims"]:
            lines += ["| the book says | this run measured | verdict |", "|---|---|---|"]
            for c in e["claims"]:
                note = f" ({c['note']})" if c.get("note") else ""
                lines.append(f"| {_md_cell(c.get('book', ''))} | {_md_cell(c.get('measured', ''))} | "
                             f"{VERDICT_MARK.get(c.get('verdict'), c.get('verdict'))}{_md_cell(note)} |")
            lines.append("")
        if e["results"]:
            shown, folded = _key_rows(e["results"])
            if shown:
                lines += ["| key | value |", "|---|---|"]
                lines += [f"| {k} | {_md_cell(_short(v))} |" for k, v in shown]
                lines.append("")
            if folded:
                lines += [f"<details><summary>{len(folded)} more keys</summary>", "", "| key | value |", "|---|---|"]
                lines += [f"| {k} | {_md_cell(_short(v))} |" for k, v in folded]
                lines += ["", "</details>", ""]
        for fig in e["figures"] + e["animations"]:
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
img{max-width:100%;border:1px solid #eee;margin:.3em 0}.ok{color:#060}.bad{color:#b00;font-weight:bold}
.note{background:#fff8e0;border-left:4px solid #e0a800;padding:.5em 1em}.data{background:#fdecea;
border-left:4px solid #b00;padding:.4em 1em}.supported{color:#060}.NOT-supported{color:#b00;font-weight:bold}
.not-shown{color:#777}tr.chapter td{background:#eef;font-weight:bold}"""

_MAX_EMBED = 8 * 2 ** 20   # bytes: larger files are linked, not embedded


def _img_data(path, mime="image/png"):
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ""
    if len(data) > _MAX_EMBED:
        return ""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _verdict_html(verdict):
    esc = html.escape
    return f"<span class=\"{esc(str(verdict).replace(' ', '-'))}\">{esc(VERDICT_MARK.get(verdict, str(verdict)))}</span>"


def _html(entries, run, claims):
    esc = html.escape
    title, sub = _heading(run, entries)
    parts = ["<!DOCTYPE html>", "<html lang=\"zh\"><head><meta charset=\"utf-8\">", f"<title>{esc(title)}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>{esc(title)}</h1>", f"<p>{esc(sub)}</p>",
             f"<p class=\"note\">{esc(QUICK_NOTE if run['mode'] == 'quick' else FULL_NOTE)}</p>"]
    if run.get("command"):
        parts.append(f"<p>Produced by <code>{esc(run['command'])}</code>. Key numbers: "
                     "<a href=\"report.json\">report.json</a>; timings and environment: "
                     "<a href=\"run.json\">run.json</a>.</p>")
    parts.append("<table><tr><th>#</th><th>section</th><th>script</th><th>status</th><th>claims</th>"
                 "<th>seconds</th></tr>")
    i = 0
    for ch, ch_title, group in _chapter_groups(entries):
        parts.append(f"<tr class=\"chapter\"><td></td><td colspan=\"5\">第{ch}章 {esc(ch_title)}"
                     f"{'' if group else ' (not in this run)'}</td></tr>")
        for e in group:
            i += 1
            st = e["status"]
            cls = "ok" if st["status"] == "ok" else "bad"
            cl = _claim_counts(_all_claims([e]))
            ctext = ", ".join(f"{n} {v}" for v, n in cl.items() if n) or "-"
            parts.append(f"<tr><td>{i}</td><td>{esc(st['label'])} {esc(st['title'])}</td>"
                         f"<td><a href=\"#{_anchor(st)}\">{esc(st['name'])}</a></td>"
                         f"<td class=\"{cls}\">{esc(st['status'])}</td><td>{esc(ctext)}</td>"
                         f"<td>{st['seconds']:.1f}</td></tr>")
    parts.append("</table>")
    counts = _claim_counts(claims)
    parts.append("<h2>The book's claims and this run</h2>")
    parts.append(f"<p>{counts['supported']} supported, {counts['NOT supported']} not supported, "
                 f"{counts['not shown']} not shown by this run.</p>")
    if claims:
        parts.append("<table><tr><th>section</th><th>the book says</th><th>this run measured</th><th>verdict</th>"
                     "<th>note</th></tr>" + "".join(
                         f"<tr><td><a href=\"#{_anchor(r)}\">{esc(r['label'])}</a></td><td>{esc(r['book'])}</td>"
                         f"<td>{esc(r['measured'])}</td><td>{_verdict_html(r['verdict'])}</td>"
                         f"<td>{esc(r['note'])}</td></tr>" for r in claims) + "</table>")
    parts.append(f"<p>{esc(KEYS_NOTE)}</p>")
    for e in entries:
        st = e["status"]
        cls = "ok" if st["status"] == "ok" else "bad"
        parts.append(f"<h2 id=\"{_anchor(st)}\">{esc(st['label'])} {esc(st['title'])}</h2>")
        parts.append(f"<p><code>{esc(st['name'])}</code>: <span class=\"{cls}\">{esc(st['status'])}</span> "
                     f"in {st['seconds']:.1f} s. Files: <a href=\"{esc(st['name'])}/\">{esc(st['name'])}/</a></p>")
        for note in e["data_notes"]:
            parts.append(f"<p class=\"data\"><b>Data:</b> {esc(note)}</p>")
        if st["status"] != "ok":
            err = "\n".join(e["stderr"].rstrip().splitlines()[-40:])
            parts.append(f"<p>Error output (last lines):</p><pre>{esc(err)}</pre>")
        if e["claims"]:
            parts.append("<table><tr><th>the book says</th><th>this run measured</th><th>verdict</th></tr>" + "".join(
                f"<tr><td>{esc(c.get('book', ''))}</td><td>{esc(c.get('measured', ''))}</td>"
                f"<td>{_verdict_html(c.get('verdict'))}"
                + (f"<br><small>{esc(c['note'])}</small>" if c.get("note") else "") + "</td></tr>"
                for c in e["claims"]) + "</table>")
        if e["results"]:
            shown, folded = _key_rows(e["results"])
            if shown:
                parts.append("<table><tr><th>key</th><th>value</th></tr>" + "".join(
                    f"<tr><td>{esc(k)}</td><td>{esc(_short(v))}</td></tr>" for k, v in shown) + "</table>")
            if folded:
                parts.append(f"<details><summary>{len(folded)} more keys</summary><table>" + "".join(
                    f"<tr><td>{esc(k)}</td><td>{esc(_short(v))}</td></tr>" for k, v in folded) + "</table></details>")
        for fig in e["figures"]:
            data = _img_data(e["folder"] / fig)
            if data:
                parts.append(f"<figure><img alt=\"{esc(fig)}\" src=\"{data}\"><figcaption>{esc(fig)}"
                             "</figcaption></figure>")
        for anim in e["animations"]:
            data = _img_data(e["folder"] / anim, "image/gif")
            src = data or f"{esc(st['name'])}/{esc(anim)}"
            parts.append(f"<figure><img alt=\"{esc(anim)}\" src=\"{src}\"><figcaption>{esc(anim)} (animation)"
                         "</figcaption></figure>")
        text, more = _output_excerpt(e["stdout"])
        if text:
            parts.append(f"<details open><summary>Printed output</summary><pre>{esc(text)}</pre>"
                         + (f"<p>({more} more lines in {esc(st['name'])}/stdout.txt)</p>" if more else "")
                         + "</details>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
