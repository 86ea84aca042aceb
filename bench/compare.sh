#!/usr/bin/env bash
# baton against curl (the floor), Hurl and Newman on a loopback token endpoint.
#
#   bench/compare.sh [--runs N] [--no-install] [--only W1,W2,W3,W4]
#
# W1  one collection of 1,000 chained token requests (form body from variables,
#     2 captures, 4 expectations); floor: curl, 1,000 requests over one kept-alive connection
# W2  one request, a cold process each time (30 runs)
# W3  200 files of 5 requests: baton --jobs 1 against --jobs 2
# W4  W1 with 10,000 requests, for memory
#
# Prints medians of N rounds (default 5; the tools of a workload take turns within a round),
# ratios to the floor and to each peer, CPU time (user+sys) and peak RSS
# (/usr/bin/time). Results also go to bench/.work/results.md. Environment: BATON (the
# binary; default: the release build, built if missing), CARGO_TARGET_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
WORK=$BENCH/.work
PEERS=$BENCH/.peers
RUNS=5
W2_RUNS=30
INSTALL=1
ONLY=W1,W2,W3,W4
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        --only) ONLY=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }
say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BATON=${BATON:-$TARGET/release/baton}
if [ ! -x "$BATON" ]; then
    say "building baton (release)"
    (cd "$ROOT" && cargo build --release --locked)
fi
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
TOKEND=$BENCH/tokend/target/release/tokend
if [ ! -x "$TOKEND" ]; then
    say "building the token server"
    cargo build --release --locked --manifest-path "$BENCH/tokend/Cargo.toml"
fi

NEWMAN=$PEERS/node_modules/.bin/newman
HURL=$PEERS/bin/hurl
if [ "$INSTALL" = 1 ]; then
    if [ ! -x "$NEWMAN" ] && command -v npm >/dev/null; then
        say "installing newman into bench/.peers"
        npm install --prefix "$PEERS" newman >/dev/null 2>&1 || say "newman: install failed"
    fi
    if [ ! -x "$HURL" ]; then
        if pkg-config --exists libcurl libxml-2.0 2>/dev/null; then
            say "installing hurl 8.0.1 into bench/.peers (several minutes)"
            cargo install hurl --version 8.0.1 --locked --root "$PEERS" >/dev/null 2>&1 ||
                say "hurl: install failed"
        else
            say "hurl: skipped, needs libcurl4-openssl-dev libxml2-dev pkg-config libclang-dev"
        fi
    fi
fi
[ -x "$NEWMAN" ] || { say "newman: not installed, skipped"; NEWMAN=; }
[ -x "$HURL" ] || { say "hurl: not installed, skipped"; HURL=; }

# --- the token endpoint ----------------------------------------------------------------
mkdir -p "$WORK"
"$TOKEND" >"$WORK/port" &
TOKEND_PID=$!
trap 'kill $TOKEND_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/port")
URL=http://127.0.0.1:$PORT/token
say "token endpoint: $URL"

# --- workloads -------------------------------------------------------------------------
RT0=rt-0
CLIENT=bench

baton_file() { # N FILE
    {
        printf 'name: tokens\nvars:\n  baseURL: http://127.0.0.1:%s\n  refresh_token: %s\n  client_id: %s\nrequests:\n' "$PORT" "$RT0" "$CLIENT"
        for i in $(seq "$1"); do
            cat <<EOF
  - name: refresh $i
    POST: <<baseURL>>/token
    form:
      grant_type: refresh_token
      refresh_token: <<refresh_token>>
      client_id: <<client_id>>
    expect:
      status: 200
      headers: { content-type: { contains: application/json } }
      body:
        \$.token_type: Bearer
        \$.expires_in: { gt: 0 }
    capture:
      access_token: \$.access_token
      refresh_token: \$.refresh_token
EOF
        done
    } >"$2"
}

hurl_file() { # N FILE  (variables: --variable refresh_token=... --variable client_id=...)
    for i in $(seq "$1"); do
        cat <<EOF
# refresh $i
POST $URL
[Form]
grant_type: refresh_token
refresh_token: {{refresh_token}}
client_id: {{client_id}}
HTTP 200
[Captures]
access_token: jsonpath "\$.access_token"
refresh_token: jsonpath "\$.refresh_token"
[Asserts]
header "Content-Type" contains "application/json"
jsonpath "\$.token_type" == "Bearer"
jsonpath "\$.expires_in" > 0

EOF
    done >"$2"
}

newman_file() { # N FILE
    {
        printf '{"info":{"name":"tokens","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":['
        for i in $(seq "$1"); do
            [ "$i" = 1 ] || printf ','
            cat <<EOF
{"name":"refresh $i","request":{"method":"POST","url":"$URL","body":{"mode":"urlencoded","urlencoded":[{"key":"grant_type","value":"refresh_token"},{"key":"refresh_token","value":"{{refresh_token}}"},{"key":"client_id","value":"{{client_id}}"}]}},"event":[{"listen":"test","script":{"exec":["pm.test('status', () => pm.response.to.have.status(200));","pm.test('type', () => pm.expect(pm.response.headers.get('Content-Type')).to.include('application/json'));","const j = pm.response.json();","pm.test('bearer', () => pm.expect(j.token_type).to.eql('Bearer'));","pm.test('expires', () => pm.expect(j.expires_in).to.be.above(0));","pm.environment.set('access_token', j.access_token);","pm.environment.set('refresh_token', j.refresh_token);"]}}]}
EOF
        done
        printf ']}\n'
    } >"$2"
}

curl_file() { # N FILE: N requests in one process, one kept-alive connection
    for i in $(seq "$1"); do
        [ "$i" = 1 ] || echo next
        printf 'url = "%s"\ndata = "grant_type=refresh_token&refresh_token=rt-0123456789abcdef&client_id=%s"\noutput = "/dev/null"\n' "$URL" "$CLIENT"
    done >"$2"
}

say "writing workloads to bench/.work"
for n in 1 1000 10000; do
    baton_file $n "$WORK/w$n.yaml"
    hurl_file $n "$WORK/w$n.hurl"
    newman_file $n "$WORK/w$n.postman.json"
    curl_file $n "$WORK/w$n.curl"
done
rm -rf "$WORK/w3" "$WORK/w3hurl"
mkdir -p "$WORK/w3" "$WORK/w3hurl"
for f in $(seq -w 200); do
    baton_file 5 "$WORK/w3/f$f.yaml"
    hurl_file 5 "$WORK/w3hurl/f$f.hurl"
done

BATON_RUN=("$BATON" run --no-progress)
HURL_RUN=("$HURL" --no-output --variable refresh_token=$RT0 --variable client_id=$CLIENT)
NEWMAN_RUN=("$NEWMAN" run --silent --env-var refresh_token=$RT0 --env-var client_id=$CLIENT)
CURL_RUN=(curl -s --fail -K)

# --- measuring -------------------------------------------------------------------------
# The machines are noisy (shared cores drift by 2x over a minute), so the tools of a
# workload are measured in turns: run 1 of each, then run 2 of each, ... A slow spell then
# slows every tool alike instead of the one that happened to run during it.
# once KEY CMD...: one run; appends wall time (us), CPU time (user+sys, ms) and peak RSS
# (KiB). A run that exits non-zero stops the script (a failure must not pass for speed).
declare -A TIMES CPUS RSSES MED MIN CPU RSS
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) printf "%d\n", a[(NR+1)/2]; else printf "%d\n", (a[NR/2]+a[NR/2+1])/2}'; }
once() {
    local key=$1 t0 t1
    shift
    t0=$(date +%s%N)
    if ! /usr/bin/time -f '%M %U %S' -o "$WORK/rss" "$@" >"$WORK/out" 2>&1; then
        echo "FAILED: $key: $*" >&2
        tail -n 20 "$WORK/out" >&2
        exit 1
    fi
    t1=$(date +%s%N)
    TIMES[$key]+="$(((t1 - t0) / 1000)) "
    read -r rss user sys < <(tail -n 1 "$WORK/rss")
    CPUS[$key]+="$(echo "($user + $sys) * 1000" | bc -l | cut -d. -f1) "
    RSSES[$key]+="$rss "
}
# settle KEY: medians of what `once` gathered for KEY.
settle() {
    local key=$1
    MED[$key]=$(printf '%s\n' ${TIMES[$key]} | median)
    MIN[$key]=$(printf '%s\n' ${TIMES[$key]} | sort -n | head -n 1)
    CPU[$key]=$(printf '%s\n' ${CPUS[$key]} | median)
    RSS[$key]=$(printf '%s\n' ${RSSES[$key]} | median)
    printf '  %-22s median %9.1f ms   min %9.1f ms   CPU %7.1f ms   peak RSS %7.1f MB\n' "$key" \
        "$(echo "${MED[$key]} / 1000" | bc -l)" "$(echo "${MIN[$key]} / 1000" | bc -l)" \
        "${CPU[$key]}" "$(echo "${RSS[$key]} / 1024" | bc -l)" >&2
}
# turns RUNS KEY1 'CMD1' KEY2 'CMD2' ...: RUNS rounds, each tool once per round.
turns() {
    local runs=$1 i j
    shift
    local -a pairs=("$@")
    for i in $(seq "$runs"); do
        for ((j = 0; j < ${#pairs[@]}; j += 2)); do
            eval "once ${pairs[j]} ${pairs[j + 1]}"
        done
    done
    for ((j = 0; j < ${#pairs[@]}; j += 2)); do settle "${pairs[j]}"; done
}
has() { [ -n "${MED[$1]:-}" ]; }
ms() { printf '%.1f' "$(echo "${MED[$1]} / 1000" | bc -l)"; }
mb() { printf '%.1f' "$(echo "${RSS[$1]} / 1024" | bc -l)"; }
ratio() { printf '%.2fx' "$(echo "${MED[$1]} / ${MED[$2]}" | bc -l)"; }
cpu_ratio() { printf '%.2fx' "$(echo "${CPU[$1]} / ${CPU[$2]}" | bc -l)"; }

q() { printf '%q ' "$@"; }
if want W1; then
    say "W1: 1,000 chained token requests, $RUNS rounds"
    set -- W1.curl "$(q "${CURL_RUN[@]}" "$WORK/w1000.curl")" W1.baton "$(q "${BATON_RUN[@]}" "$WORK/w1000.yaml")"
    [ -z "$HURL" ] || set -- "$@" W1.hurl "$(q "${HURL_RUN[@]}" "$WORK/w1000.hurl")"
    turns "$RUNS" "$@"
    # Newman takes 15 s a run: 3 runs, after the others.
    [ -z "$NEWMAN" ] || turns 3 W1.newman "$(q "${NEWMAN_RUN[@]}" "$WORK/w1000.postman.json")"
fi
if want W2; then
    say "W2: one request, a cold process, $W2_RUNS rounds"
    set -- W2.curl "$(q "${CURL_RUN[@]}" "$WORK/w1.curl")" W2.baton "$(q "${BATON_RUN[@]}" "$WORK/w1.yaml")"
    [ -z "$HURL" ] || set -- "$@" W2.hurl "$(q "${HURL_RUN[@]}" "$WORK/w1.hurl")"
    turns "$W2_RUNS" "$@"
    [ -z "$NEWMAN" ] || turns 5 W2.newman "$(q "${NEWMAN_RUN[@]}" "$WORK/w1.postman.json")"
fi
if want W3; then
    say "W3: 200 files of 5 requests, $RUNS rounds"
    set -- W3.baton.j1 "$(q "${BATON_RUN[@]}" --jobs 1 "$WORK/w3")" W3.baton.j2 "$(q "${BATON_RUN[@]}" --jobs 2 "$WORK/w3")"
    # The same runs with every request skipped: what is left is loading (every file is
    # checked before the first request goes out), which --jobs does not change.
    SKIP_ALL=()
    for i in 1 2 3 4 5; do SKIP_ALL+=(--skip "refresh $i"); done
    set -- "$@" W3.baton.j1load "$(q "${BATON_RUN[@]}" --jobs 1 "${SKIP_ALL[@]}" "$WORK/w3")"
    set -- "$@" W3.baton.j2load "$(q "${BATON_RUN[@]}" --jobs 2 "${SKIP_ALL[@]}" "$WORK/w3")"
    if [ -n "$HURL" ]; then
        set -- "$@" W3.hurl.j1 "$(q "${HURL_RUN[@]}" --test --jobs 1 "$WORK"/w3hurl/*.hurl)"
        set -- "$@" W3.hurl.j2 "$(q "${HURL_RUN[@]}" --test --jobs 2 "$WORK"/w3hurl/*.hurl)"
    fi
    turns "$RUNS" "$@"
    # What two CPUs allow: --jobs 2 needs at least the CPU time --jobs 1 needs (baton's and
    # the endpoint's), and two CPUs do 2 ms of work per ms, so the speed-up cannot pass
    # 2 x wall / CPU at --jobs 1. Both from the same 21 runs in a row (CPU in microseconds
    # from getrusage; the endpoint's from its /proc counters), after the rounds above.
    read -r W3_WALL W3_CPU W3_ENDPOINT < <(python3 - "$TOKEND_PID" "${BATON_RUN[@]}" --jobs 1 "$WORK/w3" <<'PY'
import os, resource, statistics, subprocess, sys, time
pid, cmd = sys.argv[1], sys.argv[2:]
ticks = lambda: sum(int(x) for x in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
walls, cpus, t0 = [], [], ticks()
for _ in range(21):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    walls.append((time.perf_counter() - start) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
endpoint = (ticks() - t0) * 1000 / os.sysconf("SC_CLK_TCK") / 21
print(f"{statistics.median(walls):.1f} {statistics.median(cpus):.1f} {endpoint:.1f}")
PY
)
    W3_BOUND=$(echo "2 * $W3_WALL / ($W3_CPU + $W3_ENDPOINT)" | bc -l)
    printf '  W3 bound on %d CPUs: 2 x %s ms / (%s ms baton + %s ms endpoint) = %.2fx\n' \
        "$(nproc)" "$W3_WALL" "$W3_CPU" "$W3_ENDPOINT" "$W3_BOUND" >&2
fi
if want W4; then
    say "W4: 10,000 chained token requests, 3 rounds"
    set -- W4.curl "$(q "${CURL_RUN[@]}" "$WORK/w10000.curl")" W4.baton "$(q "${BATON_RUN[@]}" "$WORK/w10000.yaml")"
    [ -z "$HURL" ] || set -- "$@" W4.hurl "$(q "${HURL_RUN[@]}" "$WORK/w10000.hurl")"
    turns 3 "$@"
fi

# --- the table -------------------------------------------------------------------------
{
    echo "| workload | tool | median wall | vs floor (curl) | baton vs it | CPU (user+sys) | baton's CPU vs it | peak RSS |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for w in W1 W2 W4; do
        for t in curl baton hurl newman; do
            has $w.$t || continue
            vs_floor=$(has $w.curl && ratio $w.$t $w.curl || echo -)
            vs_it=$([ $t != baton ] && has $w.baton && ratio $w.baton $w.$t || echo -)
            cpu_vs=$([ $t != baton ] && has $w.baton && [ "${CPU[$w.$t]}" -gt 0 ] && cpu_ratio $w.baton $w.$t || echo -)
            echo "| $w | $t | $(ms $w.$t) ms | $vs_floor | $vs_it | ${CPU[$w.$t]} ms | $cpu_vs | $(mb $w.$t) MB |"
        done
    done
    for t in baton hurl; do
        has W3.$t.j1 || continue
        echo "| W3 | $t --jobs 1 | $(ms W3.$t.j1) ms | - | - | ${CPU[W3.$t.j1]} ms | - | $(mb W3.$t.j1) MB |"
        echo "| W3 | $t --jobs 2 | $(ms W3.$t.j2) ms | speed-up $(ratio W3.$t.j1 W3.$t.j2) | - | ${CPU[W3.$t.j2]} ms | - | $(mb W3.$t.j2) MB |"
    done
    if has W3.baton.j1load; then
        echo "| W3 | baton --jobs 1, every request skipped (loading) | $(ms W3.baton.j1load) ms | - | - | ${CPU[W3.baton.j1load]} ms | - | $(mb W3.baton.j1load) MB |"
        echo "| W3 | baton --jobs 2, every request skipped (loading) | $(ms W3.baton.j2load) ms | - | - | ${CPU[W3.baton.j2load]} ms | - | $(mb W3.baton.j2load) MB |"
        running=$(echo "(${MED[W3.baton.j1]} - ${MED[W3.baton.j1load]}) / (${MED[W3.baton.j2]} - ${MED[W3.baton.j2load]})" | bc -l)
        echo "| W3 | baton, the running part (run minus loading) | - | speed-up $(printf '%.2fx' "$running") | - | - | - | - |"
    fi
    if [ -n "${W3_BOUND:-}" ]; then
        echo "| W3 | the most \`--jobs 2\` can gain on $(nproc) CPUs: 2 x wall / CPU at \`--jobs 1\` ($W3_WALL ms; baton $W3_CPU ms + endpoint $W3_ENDPOINT ms, 21 runs in a row) | - | speed-up $(printf '%.2fx' "$W3_BOUND") | - | - | - | - |"
    fi
    echo
    echo "Targets:"
    target() { # LABEL CONDITION(bc) SHOWN
        if [ "$(echo "$2" | bc -l)" = 1 ]; then echo "- met: $1 ($3)"; else echo "- MISSED: $1 ($3)"; fi
    }
    if has W1.baton && has W1.curl; then
        target "W1 within 1.25x of curl" "${MED[W1.baton]} <= 1.25 * ${MED[W1.curl]}" "$(ratio W1.baton W1.curl)"
    fi
    if has W1.baton && has W1.hurl; then
        target "W1 at most 0.6x Hurl" "${MED[W1.baton]} <= 0.6 * ${MED[W1.hurl]}" "$(ratio W1.baton W1.hurl)"
    fi
    if has W2.baton && has W2.curl; then
        target "W2 at most 1.5x curl" "${MED[W2.baton]} <= 1.5 * ${MED[W2.curl]}" "$(ratio W2.baton W2.curl)"
    fi
    if has W1.baton; then
        target "W1 peak RSS at most 15 MB" "${RSS[W1.baton]} <= 15 * 1024" "$(mb W1.baton) MB"
    fi
    if has W4.baton && has W1.baton; then
        # "the same": within 10% (allocator noise).
        target "W4 peak RSS the same as W1" "${RSS[W4.baton]} <= 1.1 * ${RSS[W1.baton]}" "$(mb W4.baton) MB vs $(mb W1.baton) MB"
    fi
    if has W3.baton.j1; then
        target "W3 --jobs 2 at least 1.8x faster than --jobs 1" "${MED[W3.baton.j1]} >= 1.8 * ${MED[W3.baton.j2]}" "$(ratio W3.baton.j1 W3.baton.j2)${W3_BOUND:+; at most $(printf '%.2fx' "$W3_BOUND") on this machine}"
    fi
    echo
    echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); runs: $RUNS (W2: $W2_RUNS, W4: 3)"
} | tee "$WORK/results.md"
