#!/usr/bin/env bash
# The README's main command (fresh Debian 12, as root): installs what is
# missing, builds gmsa and gmsa-brokerd, brings up the lab domain, starts the
# daemon against it, builds a container image locally, generates a credential
# spec from AD, and runs a container that logs in to PostgreSQL as the gMSA
# WEBAPP01$ — then tears everything down (also on Ctrl-C or failure).
# `scripts/demo.sh --bench` also runs bench/container_start.sh before tearing down.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
bench=0
if [ "${1:-}" = "--bench" ]; then bench=1; fi
start=$(date +%s)
step() { printf '\n\033[1m==> [%3ss] %s\033[0m\n' "$(($(date +%s) - start))" "$*"; }
if [ "$(id -u)" -ne 0 ]; then echo "demo.sh: run as root (network namespaces, servers, podman)" >&2; exit 1; fi

step "Installing Debian packages (scripts/deps/*.txt)"
scripts/install-deps.sh

step "Building gmsa and gmsa-brokerd (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target gmsa gmsa-brokerd | tail -n 1
gmsa=$repo/build/src/bin/gmsa
brokerd=$repo/build/src/bin/gmsa-brokerd
export CONTAINERS_CONF=$repo/dist/podman/containers.conf  # runc, no ulimits; /etc untouched

work=$(mktemp -d /tmp/gmsa-demo.XXXXXX)
chmod 755 "$work"
lab_dir=${GMSA_DEMO_LAB_DIR:-$work/lab}  # GMSA_DEMO_LAB_DIR: use a lab that is already up, leave it up
own_lab=$([ -z "${GMSA_DEMO_LAB_DIR:-}" ] && echo 1 || echo 0)
brokerd_pid=""
krbdir_mounted=""
cleanup() {
  status=$?
  trap - EXIT INT TERM
  step "Tearing down"
  if [ -n "$brokerd_pid" ]; then kill -TERM "$brokerd_pid" 2>/dev/null || true; wait "$brokerd_pid" 2>/dev/null || true; fi
  if [ -n "$krbdir_mounted" ]; then umount -l "$work/broker/krbdir" || true; fi
  if [ "$own_lab" = 1 ] && [ -f "$lab_dir/lab.json" ]; then "$gmsa" lab down --dir "$lab_dir" >/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -f "$work/brokerd.log" ]; then
    echo "--- gmsa-brokerd log (last 20 lines)"; tail -n 20 "$work/brokerd.log"
  fi
  rm -rf "$work"
  echo "demo.sh: $([ "$status" -eq 0 ] && echo done || echo "FAILED (status $status)") in $(($(date +%s) - start)) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Bringing up the lab domain CONTOSO.TEST (MIT KDC, slapd, dnsmasq, PostgreSQL in netns gmsa-lab)"
if [ "$own_lab" = 1 ]; then "$gmsa" lab up --dir "$lab_dir"; else "$gmsa" lab status --dir "$lab_dir"; fi
eval "$("$gmsa" lab env --dir "$lab_dir")"

step "Starting gmsa-brokerd as ECSHOST01\$ (host keytab, DCs dc1/dc2)"
cat > "$work/brokerd.json" <<JSON
{
  "domain": "$GMSA_LAB_DOMAIN",
  "krb5_conf": "$KRB5_CONFIG",
  "host_keytab": "$GMSA_LAB_HOST_KEYTAB",
  "host_principal": "$GMSA_LAB_HOST_PRINCIPAL",
  "dcs": ["$GMSA_LAB_DC1=$GMSA_LAB_DC1_ADDRESS", "$GMSA_LAB_DC2=$GMSA_LAB_DC2_ADDRESS"],
  "domainless_secret": "$GMSA_LAB_DOMAINLESS_USER_FILE",
  "state_dir": "$work/broker",
  "socket": "$work/broker/brokerd.sock"
}
JSON
# Ticket caches on a tmpfs of their own, as dist/ mounts them (docs/daemon.md).
mkdir -p "$work/broker/krbdir"
mount -t tmpfs -o mode=0755,nosuid,nodev,noexec,size=64m tmpfs "$work/broker/krbdir"
krbdir_mounted=1
"$brokerd" --config "$work/brokerd.json" 2>"$work/brokerd.log" &
brokerd_pid=$!
export GMSA_SOCKET=$work/broker/brokerd.sock
for _ in $(seq 100); do [ -S "$GMSA_SOCKET" ] && break; sleep 0.1; done
"$gmsa" status

step "Building the container image localhost/gmsa-demo (host psql + libraries, no registry)"
scripts/build-demo-image.sh

step "Generating the credential spec for WEBAPP01 from AD (gmsa credspec new)"
"$gmsa" credspec new --account WEBAPP01 --lab-dir "$lab_dir" -o "$work/webapp01.json"
cat "$work/webapp01.json"

container=(podman run --rm --network=host --add-host "$PGHOST:$PGHOSTADDR"
           -v "$KRB5_CONFIG:/etc/gmsa/krb5.conf:ro" -e KRB5_CONFIG=/etc/gmsa/krb5.conf
           localhost/gmsa-demo:latest
           psql -w -X -h "$PGHOST" -U webapp webapp
           -c "select current_user as role, principal as kerberos_identity from pg_stat_gssapi where pid = pg_backend_pid()")

step "Without an identity the container is refused"
"${container[@]}" 2>&1 | sed 's/^/    /' || true

step "With gmsa run: the container logs in to PostgreSQL as the gMSA"
"$gmsa" run --credspec "$work/webapp01.json" -- "${container[@]}"

step "After the container exited: its lease is gone"
"$gmsa" status

if [ "$bench" = 1 ]; then
  step "Benchmark: container start with an identity vs plain podman run"
  GMSA_BIN=$gmsa bench/container_start.sh "$work/webapp01.json" 10
fi
