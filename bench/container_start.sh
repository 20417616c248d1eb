#!/usr/bin/env bash
# Container start with an identity vs the same plain `podman run`: median of N
# (default 10) runs each, after one warm-up of each. Needs a running
# gmsa-brokerd ($GMSA_SOCKET) and a credential spec; `scripts/demo.sh --bench`
# provides both. Usage: container_start.sh CREDSPEC [N] [IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
spec=$1
n=${2:-10}
image=${3:-localhost/gmsa-demo:latest}
gmsa=${GMSA_BIN:-$PWD/build/src/bin/gmsa}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/dist/podman/containers.conf}

plain=(podman run --rm --network=host "$image" sleep 0)
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
time_one() {
  local t0; t0=$(ms_now)
  if ! "$@" >/dev/null 2>&1; then echo "container_start: failed: $*" >&2; exit 1; fi
  echo $(( $(ms_now) - t0 ))
}

time_one "${plain[@]}" >/dev/null
time_one "$gmsa" run --credspec "$spec" -- "${plain[@]}" >/dev/null
plain_ms=(); lease_ms=()
for _ in $(seq "$n"); do  # interleaved, so drift in machine load hits both alike
  plain_ms+=("$(time_one "${plain[@]}")")
  lease_ms+=("$(time_one "$gmsa" run --credspec "$spec" -- "${plain[@]}")")
done
p=$(printf '%s\n' "${plain_ms[@]}" | median)
l=$(printf '%s\n' "${lease_ms[@]}" | median)
echo "container start, median of $n: plain podman run ${p} ms, gmsa run ${l} ms, overhead $(awk "BEGIN {print $l - $p}") ms"
echo "  plain: ${plain_ms[*]}"
echo "  gmsa:  ${lease_ms[*]}"
