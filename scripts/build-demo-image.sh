#!/usr/bin/env bash
# Builds localhost/gmsa-demo:latest without a registry: a minimal root file
# system made of this host's psql, klist, sleep and sh, their shared libraries
# (ldd), the MIT krb5 plugins, and a tiny /etc (uid 1000 "app"), imported with
# `podman import`. Usage: build-demo-image.sh [--rebuild] [IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/dist/podman/containers.conf}"

rebuild=0
if [ "${1:-}" = "--rebuild" ]; then rebuild=1; shift; fi
image="${1:-localhost/gmsa-demo:latest}"
if [ "$rebuild" = 0 ] && podman image exists "$image"; then
  echo "build-demo-image: $image already exists"
  exit 0
fi

psql_bin=$(ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n1)
bins=("$psql_bin" /usr/bin/klist /usr/bin/sleep /usr/bin/cat /usr/bin/id /bin/sh)
root=$(mktemp -d /tmp/gmsa-demo-root.XXXXXX)
trap 'rm -rf "$root"' EXIT

# Debian 12 is merged-/usr: keep the same layout so the libraries' paths hold.
mkdir -p "$root"/usr/{bin,lib/x86_64-linux-gnu,lib64} "$root"/{etc,tmp,var/credentials-fetcher/krbdir}
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"

copy() {  # copy a host file to the same path under $root (resolving symlinks)
  local src=$1 dst="$root$(realpath -s "$1" | sed 's|^/lib|/usr/lib|; s|^/bin|/usr/bin|')"
  mkdir -p "$(dirname "$dst")"
  cp -L "$src" "$dst"
}
for b in "${bins[@]}"; do
  name=$(basename "$b")
  cp -L "$b" "$root/usr/bin/$name"
  ldd "$b" | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
    [ -n "$lib" ] && [ -e "$lib" ] && copy "$lib"
  done
done
# MIT krb5's loadable plugins (preauth) and the GSSAPI mechanism config directory.
if [ -d /usr/lib/x86_64-linux-gnu/krb5/plugins ]; then
  mkdir -p "$root/usr/lib/x86_64-linux-gnu/krb5"
  cp -a /usr/lib/x86_64-linux-gnu/krb5/plugins "$root/usr/lib/x86_64-linux-gnu/krb5/"
  rm -rf "$root/usr/lib/x86_64-linux-gnu/krb5/plugins/kdb"
fi
mkdir -p "$root/etc/gss/mech.d"

cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/tmp:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
P
cat > "$root/etc/group" <<'G'
root:x:0:
app:x:1000:
nogroup:x:65534:
G
printf 'passwd: files\ngroup: files\nhosts: files\n' > "$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
: > "$root/etc/resolv.conf"

echo "build-demo-image: importing $(du -sh "$root" | cut -f1) root file system as $image"
tar -C "$root" --numeric-owner -cf - . |
  podman import --change 'ENV=PATH=/usr/bin' --change 'CMD=["/usr/bin/psql","--version"]' - "$image" >/dev/null
echo "build-demo-image: $image ready"
