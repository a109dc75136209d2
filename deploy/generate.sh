#!/usr/bin/env bash
# Regenerates the Deployments and Services of deploy/base/<service>/kubernetes.yml from the Quarkus Kubernetes
# extension (each service's application.properties, block "# --- Kubernetes (issue 8)"): builds the services'
# `package` (which writes <service>/target/kubernetes/kubernetes.yml) and copies the output here. Commit the result:
# deploy-manifests' GeneratedManifestsTest fails the build when a copy differs from what the build generates.
#
#   deploy/generate.sh              build the six services (offline, tests skipped), then copy
#   deploy/generate.sh --no-build   copy what the last build left in target/kubernetes
set -euo pipefail
cd "$(dirname "$0")/.."
services=(config-service mrn-service fetch-worker sync-service archive-service console)
if [[ "${1:-}" != "--no-build" ]]; then
  MAVEN_OPTS="${MAVEN_OPTS:--Xmx768m}" ./mvnw -q -B -o -pl "$(IFS=,; echo "${services[*]}")" package -DskipTests
fi
for service in "${services[@]}"; do
  generated="$service/target/kubernetes/kubernetes.yml"
  if [[ ! -f "$generated" ]]; then
    echo "missing $generated: build $service first (./mvnw -pl $service package -DskipTests)" >&2
    exit 1
  fi
  # The image must be the registry-less default (registries are the overlays'): a build with
  # -Dquarkus.container-image.registry=... (deploy/images/build-images.sh) leaves another name in target/.
  if ! grep -q "image: docker.io/fhir-snapshot/$service:" "$generated"; then
    echo "$generated names another image ($(grep -m1 'image:' "$generated" | xargs)): rebuild without a registry" >&2
    exit 1
  fi
  cp "$generated" "deploy/base/$service/kubernetes.yml"
  echo "deploy/base/$service/kubernetes.yml"
done
