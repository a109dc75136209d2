#!/usr/bin/env bash
# Builds and pushes the container images of the six services with Jib (no Docker daemon), one module at a time, then
# checks what was pushed (user, entrypoint, tags, layers) and exports each image to an OCI layout for local use.
#
#   deploy/images/build-images.sh [SERVICE...]          (default: all six)
#
# Without REGISTRY: starts a throwaway Distribution registry (/usr/bin/docker-registry) on 127.0.0.1:$REGISTRY_PORT
# (default 5000) with its storage in a temporary directory, and builds FROM the Debian base image tarball of
# build-base-image.sh (made first if missing), for machines that cannot pull the UBI base image.
# With REGISTRY=host[/path] (a CI with a real registry; log in first, e.g. `skopeo login`): pushes there, FROM the
# base image of application.properties unless BASE_IMAGE is set. INSECURE=true allows plain HTTP.
# Other settings: MVN_FLAGS (default -o: offline), OCI_DIR (default deploy/images/target/oci), KEEP_REGISTRY=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(config-service mrn-service fetch-worker sync-service archive-service console)
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
sha=$(git rev-parse --short=12 HEAD)
# A build from a checkout with uncommitted changes must not pass for the commit: its sha tag says -dirty.
[ -z "$(git status --porcelain --untracked-files=no)" ] || sha="$sha-dirty"
oci=${OCI_DIR:-$repo/deploy/images/target/oci}
work=$(mktemp -d /tmp/fhir-snapshot-images.XXXXXX)
registry_pid=
cleanup() {
  if [ -n "$registry_pid" ] && [ "${KEEP_REGISTRY:-0}" != 1 ]; then kill "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${REGISTRY:-}" ]; then
  port=${REGISTRY_PORT:-5000}
  REGISTRY=127.0.0.1:$port
  INSECURE=true
  if curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1; then
    echo "==> A registry answers on $REGISTRY already: using it"
  else
    storage=$work/registry; [ "${KEEP_REGISTRY:-0}" != 1 ] || storage=$repo/deploy/images/target/registry
    echo "==> Starting a local registry on $REGISTRY (storage $storage)"
    cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $storage}, delete: {enabled: true}}
http: {addr: "$REGISTRY"}
EOF
    docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
    registry_pid=$!
    for _ in $(seq 50); do curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS "http://$REGISTRY/v2/" >/dev/null || { cat "$work/registry.log" >&2; exit 1; }
    [ "${KEEP_REGISTRY:-0}" != 1 ] || echo "    (KEEP_REGISTRY=1: it keeps running as pid $registry_pid)"
  fi
  if [ -z "${BASE_IMAGE:-}" ]; then
    base_tar=${BASE_IMAGE_TAR:-$repo/deploy/images/target/jre17-base.tar}
    deploy/images/build-base-image.sh "$base_tar"
    BASE_IMAGE=tar://$base_tar
  fi
fi
insecure=${INSECURE:-false}
tls_verify=true; [ "$insecure" != true ] || tls_verify=false

# The image build writes its fast-jar and generated manifests under target/image-build, not target/quarkus-app and
# target/kubernetes: a stack or a build running from the checkout at the same time keeps its jars, and the manifests
# keep their plain image names.
build_flags=(-Dquarkus.package.output-directory=image-build -Dquarkus.kubernetes.output-directory=target/image-build/kubernetes
  -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true
  "-Dquarkus.container-image.registry=${REGISTRY%%/*}" "-Dquarkus.container-image.insecure=$insecure"
  "-Dquarkus.container-image.additional-tags=$sha")
# A registry path (host/path) goes in front of the group: host/path/fhir-snapshot/<service>.
[ "${REGISTRY#*/}" = "$REGISTRY" ] || build_flags+=("-Dquarkus.container-image.group=${REGISTRY#*/}/fhir-snapshot")
[ -z "${BASE_IMAGE:-}" ] || build_flags+=("-Dquarkus.jib.base-jvm-image=$BASE_IMAGE")
group=fhir-snapshot; [ "${REGISTRY#*/}" = "$REGISTRY" ] || group="${REGISTRY#*/}/fhir-snapshot"

for m in "${services[@]}"; do
  echo "==> $m: ./mvnw -pl $m package with Jib -> $REGISTRY/$group/$m:$version and :$sha"
  start=$(date +%s)
  MAVEN_OPTS="${MAVEN_OPTS:--Xmx768m}" ./mvnw -q -B ${MVN_FLAGS--o} -pl "$m" package -DskipTests "${build_flags[@]}" \
    >"$work/$m.build.log" 2>&1 || { tail -40 "$work/$m.build.log" >&2; echo "Build of $m failed" >&2; exit 1; }
  echo "    built and pushed in $(($(date +%s) - start)) s"
done

echo "==> Checking the pushed images"
mkdir -p "$oci"
printf '%-16s %-5s %6s %13s  %s\n' service user layers "compressed MB" entrypoint
for m in "${services[@]}"; do
  ref=$REGISTRY/$group/$m
  config=$(skopeo inspect --tls-verify=$tls_verify --config "docker://$ref:$version")
  manifest=$(skopeo inspect --tls-verify=$tls_verify --raw "docker://$ref:$version")
  user=$(jq -r '.config.User // ""' <<<"$config")
  entrypoint=$(jq -c '.config.Entrypoint' <<<"$config")
  layers=$(jq '.layers | length' <<<"$manifest")
  bytes=$(jq '[.layers[].size] | add' <<<"$manifest")
  digest_version=$(skopeo inspect --tls-verify=$tls_verify --format '{{.Digest}}' "docker://$ref:$version")
  digest_sha=$(skopeo inspect --tls-verify=$tls_verify --format '{{.Digest}}' "docker://$ref:$sha")
  printf '%-16s %-5s %6s %13s  %s\n' "$m" "$user" "$layers" "$(awk "BEGIN{printf \"%.1f\", $bytes/1048576}")" "$entrypoint"
  case "$user" in ""|0|root|0:*|root:*) echo "$m runs as root ('$user')" >&2; exit 1;; esac
  [ "$digest_version" = "$digest_sha" ] || { echo "$m: tags $version and $sha differ" >&2; exit 1; }
  skopeo copy --quiet --src-tls-verify=$tls_verify "docker://$ref:$version" "oci:$oci:$m"
done
echo "Images pushed to $REGISTRY/$group/<service>:{$version,$sha}; OCI copies in $oci (tags = service names)."
