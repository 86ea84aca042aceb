#!/usr/bin/env bash
# The Postman importer measured on a directory of real collections.
#
#   bench/postman-corpus.sh DIR
#
# Imports every DIR/*.postman_collection.json (with the *.postman_environment.json of the
# same prefix when there is one) into a temporary directory, runs `baton check` on each
# result, and prints a Markdown table: collections imported and passing check, requests in
# and out, and the code lines of test and pre-request scripts converted / warned / logging /
# dropped, in total and per collection.
#
# `check` is given what the source leaves undefined, as a user would: `--var NAME=x` for each
# name the import reports as "read but not defined" or as captured by a later file, a dummy
# value exported for each `<<env.NAME>>` secret the summary lists, and an empty stand-in for
# each file to upload that the source does not ship.
#
# The counts come from the importer's summary line (`scripts: test N lines: …`); the script
# also counts the code lines of the source itself (non-blank, non-comment lines of the
# enabled events' `script.exec`) and reports as dropped whatever the importer neither
# converted, warned nor counted as logging. Environment: BATON (the binary; default: the
# debug build, built if missing); VERBOSE=1 adds the first `check` error of each collection
# that fails it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: bench/postman-corpus.sh DIR}
if [ -z "${BATON:-}" ]; then
    BATON=$ROOT/target/debug/baton
    [ -x "$BATON" ] || (cd "$ROOT" && cargo build --quiet)
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# `check` runs inside each imported directory: the binary's path must not be relative.
BATON=$(cd "$(dirname "$BATON")" && pwd)/$(basename "$BATON")
export BATON DIR WORK

python3 - <<'PY'
import glob, json, os, re, subprocess, sys

baton, src, work = os.environ["BATON"], os.environ["DIR"], os.environ["WORK"]


def strip_comments(line, state):
    """The line without // and /* */ comments outside strings (as the importer reads it)."""
    out, quote, i = [], None, 0
    while i < len(line):
        c = line[i]
        if state["block"]:
            if line.startswith("*/", i):
                state["block"] = False
                i += 1
        elif quote:
            out.append(c)
            if c == "\\" and i + 1 < len(line):
                out.append(line[i + 1])
                i += 1
            elif c == quote:
                quote = None
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            state["block"] = True
            i += 1
        else:
            if c in "'\"`":
                quote = c
            out.append(c)
        i += 1
    return "".join(out)


def source_counts(path):
    """Requests, and code lines of enabled test / pre-request scripts, in the source."""
    doc = json.load(open(path, encoding="utf-8"))
    if "info" not in doc and isinstance(doc.get("collection"), dict):
        doc = doc["collection"]
    counts = {"requests": 0, "test": 0, "prerequest": 0}

    def walk(node):
        if isinstance(node.get("request"), (dict, str)):
            counts["requests"] += 1
        for e in node.get("event") or []:
            if not isinstance(e, dict) or e.get("disabled") or e.get("listen") not in counts:
                continue
            exec_ = (e.get("script") or {}).get("exec") or []
            text = exec_ if isinstance(exec_, str) else "\n".join(str(l) for l in exec_)
            state = {"block": False}
            counts[e["listen"]] += sum(
                1 for l in text.split("\n") if strip_comments(l, state).strip()
            )
        for item in node.get("item") or []:
            if isinstance(item, dict):
                walk(item)

    walk(doc)
    return counts


TALLY = re.compile(
    r"^scripts: test (\d+) lines: (\d+) converted, (\d+) warned, (\d+) logging, (\d+) dropped; "
    r"pre-request (\d+) lines: (\d+) converted, (\d+) warned, (\d+) logging, (\d+) dropped$",
    re.M,
)
rows = []
for coll in sorted(glob.glob(os.path.join(src, "*.postman_collection.json"))):
    name = os.path.basename(coll)[: -len(".postman_collection.json")]
    env = coll.replace(".postman_collection.json", ".postman_environment.json")
    out = os.path.join(work, name)
    args = [baton, "import", "postman", coll, "-o", out]
    if os.path.exists(env):
        args += ["--env", env]
    imp = subprocess.run(args, capture_output=True, text=True)
    row = {"name": name, "source": source_counts(coll), "imported": imp.returncode == 0}
    if row["imported"]:
        m = re.search(r"^\d+ files?, (\d+) requests?(?: \(and (\d+) oauth2)?", imp.stdout, re.M)
        row["out"] = int(m.group(1)) if m else 0
        row["oauth2"] = int(m.group(2) or 0) if m else 0
        t = TALLY.search(imp.stdout)
        nums = [int(x) for x in t.groups()] if t else [0] * 10
        row["test"], row["pre"] = nums[:5], nums[5:]
        names = set()
        for m in re.finditer(r"read but not defined by the collection[^:]*: (.*?); give them", imp.stderr):
            names.update(n.strip() for n in m.group(1).split(","))
        names.update(re.findall(r"`([^`]+)` is captured in .*, which runs after this file", imp.stderr))
        # Files to upload that the source does not ship (the importer names each): empty
        # stand-ins beside the file that reads them, as a user would put the real ones.
        for m in re.finditer(
            r"^warning: (\S+?\.yaml): request '.*?': the multipart file `([^`]+)` is read relative",
            imp.stderr,
            re.M,
        ):
            stand_in = os.path.join(out, os.path.dirname(m.group(1)), m.group(2))
            os.makedirs(os.path.dirname(stand_in), exist_ok=True)
            open(stand_in, "a").close()
        secrets = re.findall(r"(\w+)=\.\.\.", "\n".join(
            l for l in imp.stdout.splitlines() if l.startswith("secrets are read")))
        check = [baton, "check", out]
        e = re.search(r"next: baton check .* -e (\S+)", imp.stdout)
        if e:
            check += ["-e", e.group(1)]
        yaml = ""
        for d, _, fs in os.walk(out):
            for f in fs:
                if f.endswith(".yaml"):
                    yaml += open(os.path.join(d, f), encoding="utf-8").read()
        for n in sorted(names):
            # A dummy that makes a URL where the name starts one, a host after a scheme.
            ref = re.escape(n if re.fullmatch(r"[A-Za-z_]\w*", n) else f"vars['{n}']")
            if re.search(r"(?m)(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|url|_url|issuer): <<" + ref + ">>", yaml):
                value = "http://x.test"
            elif re.search(r"://<<" + ref + ">>", yaml):
                value = "x.test"
            else:
                value = "x"
            check += ["--var", f"{n}={value}"]
        environ = dict(os.environ, **{s: "x" for s in secrets})
        chk = subprocess.run(check, capture_output=True, text=True, cwd=out, env=environ)
        row["check"] = chk.returncode == 0
        row["check_error"] = next(
            (l for l in chk.stderr.splitlines() if l.startswith("error")), ""
        )
    rows.append(row)


def pct(part, whole):
    return f"{100 * part / whole:.1f}%" if whole else "-"


def lines(kind, key, r):
    """(source, converted, warned, logging, dropped) where dropped is the honest remainder."""
    source = r["source"][key]
    if not r["imported"]:
        return source, 0, 0, 0, source
    _, conv, warn, log, _ = r[kind]
    return source, conv, warn, log, source - conv - warn - log


n = len(rows)
imported = [r for r in rows if r["imported"]]
passing = [r for r in imported if r["check"]]
req_in = sum(r["source"]["requests"] for r in rows)
req_out = sum(r["out"] for r in imported)
oauth2 = sum(r["oauth2"] for r in imported)
print(f"Corpus: {n} collections ({src})\n")
print("| measure | count | % |\n|---|---|---|")
print(f"| collections imported | {len(imported)} / {n} | {pct(len(imported), n)} |")
print(f"| collections passing `baton check` | {len(passing)} / {n} | {pct(len(passing), n)} |")
print(f"| requests in / out | {req_in} / {req_out} (+{oauth2} oauth2) | {pct(req_out, req_in)} |")
for kind, key, label in [("test", "test", "test-script"), ("pre", "prerequest", "pre-request")]:
    tot = [sum(x) for x in zip(*(lines(kind, key, r) for r in rows))] or [0] * 5
    src_lines = tot[0]
    print(f"| {label} lines | {src_lines} | |")
    for i, what in enumerate(["converted", "warned", "logging", "dropped"], 1):
        print(f"| {label} lines {what} | {tot[i]} | {pct(tot[i], src_lines)} |")
print()
print("| collection | imported | check | requests in / out | test lines: conv / warned / log / dropped | pre-request lines: conv / warned / log / dropped |")
print("|---|---|---|---|---|---|")
for r in rows:
    t = lines("test", "test", r)
    p = lines("pre", "prerequest", r)
    fmt = lambda x: f"{x[0]}: {x[1]} / {x[2]} / {x[3]} / {x[4]}" if x[0] else "-"
    check = ("pass" if r["check"] else "fail") if r["imported"] else "-"
    out = f"{r['out']}" + (f" (+{r['oauth2']})" if r.get("oauth2") else "") if r["imported"] else "-"
    print(f"| {r['name']} | {'yes' if r['imported'] else 'no'} | {check} | {r['source']['requests']} / {out} | {fmt(t)} | {fmt(p)} |")
failing = [r for r in imported if not r["check"]]
if failing and os.environ.get("VERBOSE"):
    print("\nFirst check error of each failing collection:\n")
    for r in failing:
        print(f"- {r['name']}: `{r['check_error']}`")
PY
