#!/usr/bin/env bash
# Builds, from Debian packages only, the JRE 17 base image that build-images.sh gives Jib on machines that cannot pull
# registry.access.redhat.com/ubi9/openjdk-17-runtime: Debian bookworm (minbase) + openjdk-17-jre-headless, user 185
# (group 0, home /home/jboss, as in the UBI OpenJDK images). Output: a docker-archive tar that Jib reads as
# quarkus.jib.base-jvm-image=tar://<path>. Needs root, debootstrap, umoci, skopeo and a Debian mirror.
# Usage: deploy/images/build-base-image.sh [OUTPUT_TAR]   (default deploy/images/target/jre17-base.tar)
# Idempotent: an existing tar is kept (FORCE=1 rebuilds it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/target/jre17-base.tar}
suite=${DEBIAN_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
name=fhir-snapshot/jre17-base:$suite

if [ -s "$out" ] && [ "${FORCE:-0}" != 1 ]; then
  echo "Base image $out exists (FORCE=1 rebuilds it)."; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-base-image.sh needs root (debootstrap, chroot)." >&2; exit 1; }
for tool in debootstrap umoci skopeo; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install $tool" >&2; exit 1; }
done

work=$(mktemp -d /tmp/fhir-snapshot-base.XXXXXX)
rootfs=$work/rootfs
cleanup() { umount "$rootfs/proc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "==> debootstrap $suite (minbase) into $rootfs"
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

echo "==> openjdk-17-jre-headless and user 185"
mount -t proc proc "$rootfs/proc"   # ca-certificates-java runs java in its postinst
chroot "$rootfs" /bin/sh -ec '
  export DEBIAN_FRONTEND=noninteractive
  apt-get -q update
  apt-get -q install -y --no-install-recommends openjdk-17-jre-headless ca-certificates
  useradd --uid 185 --gid 0 --home-dir /home/jboss --create-home --shell /usr/sbin/nologin jboss
  chmod 0775 /home/jboss
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/* /usr/share/doc/* /usr/share/man/* /usr/share/info/*
' >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
umount "$rootfs/proc"
java_home=$(dirname "$(dirname "$(readlink -f "$rootfs/usr/bin/java")")")
java_home=${java_home#"$rootfs"}

echo "==> OCI image (umoci), then docker-archive (skopeo)"
umoci init --layout "$work/oci"
umoci new --image "$work/oci:base"
umoci insert --image "$work/oci:base" "$rootfs" /
umoci config --image "$work/oci:base" --config.user 185 --config.workingdir /home/jboss \
  --config.env "JAVA_HOME=$java_home" --config.env LANG=C.UTF-8 \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --history.created_by "deploy/images/build-base-image.sh" \
  --history.comment "Debian $suite + openjdk-17-jre-headless, user 185 (no labels: the service images inherit them)"
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
skopeo copy --quiet "oci:$work/oci:base" "docker-archive:$out.tmp:$name"
mv "$out.tmp" "$out"
echo "Base image $name written to $out ($(du -h "$out" | cut -f1)); use it with"
echo "  -Dquarkus.jib.base-jvm-image=tar://$out"
