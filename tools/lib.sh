# Shared shell functions of tools/run, tools/test and tools/fuzz: Debian
# packages and a private PostgreSQL. Sourced, not run.

# Everything ritmo needs to build, test and run, by Debian package name
# (clang and libFuzzer: tools/fuzz).
RITMO_DEBIAN_PACKAGES="build-essential cmake pkg-config git curl ca-certificates
  libpq-dev libmicrohttpd-dev libjansson-dev libical-dev libcurl4-openssl-dev
  libcmocka-dev nettle-dev libreadosm-dev libexpat1-dev postgresql postgresql-contrib
  clang-format tzdata util-linux openssl
  clang libclang-rt-14-dev libfuzzer-14-dev"

say() { printf 'ritmo: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

# Installs the packages above that are missing: with apt-get as root, with
# sudo otherwise, or tells the user what to install.
ritmo_install_deps() {
    local missing=() p
    for p in $RITMO_DEBIAN_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null ||
            fail "missing packages (${missing[*]}) and no sudo: install them as root"
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq || fail "apt-get update failed"
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        fail "apt-get install failed"
}

ritmo_pg_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] && echo "$d"
    done | sort -V | tail -n 1
}

# Runs a PostgreSQL command as the postgres system user when we are root
# (PostgreSQL refuses to run as root), as ourselves otherwise.
ritmo_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
