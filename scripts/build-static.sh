#!/usr/bin/env bash
# Builds a statically linked baton (glibc linked in, no dynamic loader): it runs on any
# x86_64 Linux, old distributions and Alpine included, and in an empty root. Names are
# resolved by reqwest's hickory resolver (pure Rust, reads /etc/hosts and /etc/resolv.conf),
# so no NSS module is needed at run time.
#
#   scripts/build-static.sh            # debug:   target/x86_64-unknown-linux-gnu/debug/baton
#   scripts/build-static.sh --release  # release: target/x86_64-unknown-linux-gnu/release/baton
#
# The explicit --target keeps build scripts and proc-macros dynamic (RUSTFLAGS then apply to
# the target only); `+crt-static` on the GNU target needs no toolchain download, only libc.a
# (Debian's libc6-dev, present wherever gcc is).
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
profile=debug
args=()
for arg in "$@"; do
  case "$arg" in
    --release) profile=release; args+=(--release) ;;
    -h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "build-static.sh: unknown argument: $arg (expected --release)" >&2; exit 2 ;;
  esac
done

if [ ! -f /usr/lib/x86_64-linux-gnu/libc.a ] && [ ! -f /usr/lib64/libc.a ]; then
  echo "build-static.sh: libc.a not found; install the static C library (Debian: libc6-dev)" >&2
  exit 3
fi

# crt-static links glibc in; relocation-model=static makes a plain static executable rather
# than a static PIE, so `ldd` answers "not a dynamic executable". getrandom's default looks up
# `getrandom` with dlsym, which a static binary cannot, and then reads /dev/urandom, absent from
# an empty root: linux_getrandom calls the system call directly.
# RUSTFLAGS replace the profile's flags rather than add to them: keep whatever the caller set.
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static -C relocation-model=static --cfg getrandom_backend=\"linux_getrandom\""
cargo build --locked --bin baton --target "$target" "${args[@]}"

bin="target/$target/$profile/baton"
said="$(ldd "$bin" 2>&1 || true)"
case "$said" in
  *"not a dynamic executable"*) ;;
  *) printf 'build-static.sh: %s is not a static executable:\n%s\n' "$bin" "$said" >&2; exit 1 ;;
esac
echo "$bin"
