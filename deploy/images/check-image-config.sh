#!/usr/bin/env bash
# Checks, without building anything, that every service's image configuration (block "# --- Container image
# (issue 8)" of its application.properties) says what deploy/images/README.md promises: no image in a plain build,
# Jib, name fhir-snapshot/<service>, a non-root numeric user, a base image pinned by tag or digest, the JVM options.
# Exit status 1 and one line per broken rule otherwise. Takes < 1 s: cheap enough for every CI run.
set -euo pipefail
cd "$(dirname "$0")/../.."
failures=0
fail() { echo "$1: $2" >&2; failures=$((failures + 1)); }
for m in config-service mrn-service fetch-worker sync-service archive-service console; do
  f=$m/src/main/resources/application.properties
  grep -q '^# --- Container image (issue 8)' "$f" || fail "$m" "no '# --- Container image (issue 8)' block"
  value() { sed -n "s/^$1=//p" "$f" | tail -1; }
  [ "$(value quarkus.container-image.builder)" = jib ] || fail "$m" "quarkus.container-image.builder is not jib"
  [ "$(value quarkus.container-image.build)" = false ] || fail "$m" "quarkus.container-image.build must be false"
  [ "$(value quarkus.container-image.push)" = false ] || fail "$m" "quarkus.container-image.push must be false"
  [ "$(value quarkus.container-image.group)" = fhir-snapshot ] || fail "$m" "group is not fhir-snapshot"
  [ "$(value quarkus.container-image.name)" = "$m" ] || fail "$m" "image name is not $m"
  [ -z "$(value quarkus.container-image.tag)" ] || fail "$m" "tag must stay the project version (no override)"
  user=$(value quarkus.jib.user)
  [[ "$user" =~ ^[1-9][0-9]*$ ]] || fail "$m" "quarkus.jib.user '$user' is not a non-root numeric uid"
  base=$(value quarkus.jib.base-jvm-image)
  [[ "$base" =~ ^[a-z0-9.-]+(:[0-9]+)?/.+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$ ]] && [[ "$base" != *:latest ]] \
    || fail "$m" "base image '$base' is not pinned (registry/name:tag or @sha256:digest, not latest)"
  [[ "$base" == *openjdk-17* || "$base" == *jre17* ]] || fail "$m" "base image '$base' is not a Java 17 runtime"
  args=$(value quarkus.jib.jvm-additional-arguments)
  [[ "$args" == *-XX:MaxRAMPercentage=* ]] || fail "$m" "no -XX:MaxRAMPercentage in the JVM arguments"
  [[ "$args" == *-XX:+ExitOnOutOfMemoryError* ]] || fail "$m" "no -XX:+ExitOnOutOfMemoryError"
  port=$(value quarkus.http.port)
  [ "$(value quarkus.jib.ports)" = "$port" ] || fail "$m" "quarkus.jib.ports is not the HTTP port $port"
done
[ "$failures" = 0 ] || { echo "$failures image configuration rule(s) broken" >&2; exit 1; }
echo "Image configuration of the six services: OK"
