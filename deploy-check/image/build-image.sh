#!/usr/bin/env bash
# Builds the repository's Dockerfile into the image the k8s manifests name, without a Docker
# daemon: buildah with vfs storage (no overlay driver needed) and chroot isolation (crun cannot
# run here: no rlimits, cgroups in hybrid mode).
#
# No public image registry is reachable from this project's machines, so the Dockerfile's two
# base images are made here with mmdebstrap (Debian bookworm, from the Debian mirror apt already
# uses) and passed as the BUILD_IMAGE and RUNTIME_IMAGE build arguments; their defaults in the
# Dockerfile stay the public images for everyone else. A base image is made only when no image
# of its name exists; the name carries a hash of its recipe, so a changed recipe makes a new one.
#
# The Dockerfile's build stage runs Maven offline against a copy-on-write view of the host's
# local Maven repository (run `mvn package` or `mvn verify` once first): the image build neither
# downloads nor writes into ~/.m2.
#
# Usage: deploy-check/image/build-image.sh
# Env:   SWITCHBOARD_MAVEN_REPO  the host's local Maven repository (default ~/.m2/repository)
#        SWITCHBOARD_DEBIAN_SOURCES  apt sources for mmdebstrap (default: the host's Debian ones)
# Exit:  0 built; 3 cannot run on this machine (the reason is printed); anything else failed.
# Lines meant for a summary start with "build-image: " (ImageSmokeTest logs those).
set -euo pipefail

say() { printf 'build-image: %s\n' "$*"; }
cannot_run() { say "cannot run here: $*"; exit 3; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
started=$SECONDS

# --- can this machine build images at all? ---------------------------------------------------
[ "$(uname -s)" = Linux ] || cannot_run "not Linux"
for tool in buildah mmdebstrap; do
  command -v "$tool" >/dev/null 2>&1 || cannot_run "$tool is not installed (apt-get install buildah mmdebstrap uidmap)"
done
# mmdebstrap writes the base's root filesystem straight into a buildah mount: both need root.
[ "$(id -u)" = 0 ] || cannot_run "needs root (mmdebstrap into a buildah mount), running as uid $(id -u)"
B=(buildah --storage-driver vfs)
"${B[@]}" info >/dev/null 2>&1 || cannot_run "buildah info fails: $("${B[@]}" info 2>&1 | tail -1)"

# --- the tag: the one image name the k8s Deployments use -------------------------------------
mapfile -t names < <(grep -h '^ *image:' "$repo"/k8s/*.yaml | awk '{print $2}' | tr -d '"'"'" | sort -u)
[ "${#names[@]}" = 1 ] || { say "the manifests must name exactly one image, they name: ${names[*]:-none}"; exit 1; }
tag=${names[0]}
say "image name from k8s/: $tag"

# --- base images ------------------------------------------------------------------------------
sources=${SWITCHBOARD_DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$sources" ] || sources=/etc/apt/sources.list
[ -f "$sources" ] || sources="deb http://deb.debian.org/debian bookworm main"
# A slim Debian: minbase (dpkg, apt, passwd's useradd/groupadd, bash), no manuals, docs or
# translations. The JRE's postinst links its manual page, so man1 must exist even if empty.
mmdebstrap_options=(--variant=minbase
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
  --setup-hook='mkdir -p "$1/usr/share/man/man1"')
jre_packages=(openjdk-17-jre-headless)
jdk_packages=(openjdk-17-jdk-headless maven)
# A base's name carries a hash of its recipe: a changed recipe makes a new base, an unchanged
# one is found by name and kept.
recipe_hash() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }
jre_image=localhost/switchboard-base-jre:bookworm-$(recipe_hash 1 "${mmdebstrap_options[@]}" "${jre_packages[@]}")
jdk_image=localhost/switchboard-base-jdk-maven:bookworm-$(recipe_hash 1 "$jre_image" "${jdk_packages[@]}")

container=
cleanup() {
  if [ -n "$container" ]; then "${B[@]}" rm "$container" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
exists() { "${B[@]}" inspect --type image "$1" >/dev/null 2>&1; }

if exists "$jre_image"; then
  say "base $jre_image exists, kept"
else
  say "making $jre_image: mmdebstrap bookworm + ${jre_packages[*]}"
  t0=$SECONDS
  # mmdebstrap fills the empty root of a scratch container, which is then committed as is.
  container=$("${B[@]}" from --pull=never scratch)
  mnt=$("${B[@]}" mount "$container")
  mmdebstrap "${mmdebstrap_options[@]}" --include="$(IFS=,; echo "${jre_packages[*]}")" bookworm "$mnt" "$sources"
  "${B[@]}" umount "$container" >/dev/null
  "${B[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd '["bash"]' "$container"
  "${B[@]}" commit --quiet --rm "$container" "$jre_image" >/dev/null
  container=
  say "made $jre_image in $((SECONDS - t0)) s"
fi

if exists "$jdk_image"; then
  say "base $jdk_image exists, kept"
else
  # The build base is the runtime base plus a JDK and Maven, installed with apt inside it: it
  # shares all but those packages, and this is twice as fast as a second mmdebstrap.
  say "making $jdk_image: $jre_image + ${jdk_packages[*]}"
  t0=$SECONDS
  container=$("${B[@]}" from --pull=never "$jre_image")
  "${B[@]}" run --isolation chroot --user 0:0 "$container" -- sh -c \
    "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${jdk_packages[*]} \
     && apt-get clean && rm -rf /var/lib/apt/lists/*"
  "${B[@]}" commit --quiet --rm "$container" "$jdk_image" >/dev/null
  container=
  say "made $jdk_image in $((SECONDS - t0)) s"
fi

# --- the image --------------------------------------------------------------------------------
maven_repo=${SWITCHBOARD_MAVEN_REPO:-$HOME/.m2/repository}
[ -d "$maven_repo" ] || { say "no local Maven repository at $maven_repo: run mvn package once first"; exit 1; }
old_id=$("${B[@]}" inspect --type image --format '{{.FromImageID}}' "$tag" 2>/dev/null || true)
say "building $tag from $repo/Dockerfile (BUILD_IMAGE=$jdk_image RUNTIME_IMAGE=$jre_image)"
t0=$SECONDS
# :O mounts the host's repository as an overlay: Maven reads it, its writes (resolver status
# files) stay in a throw-away upper layer.
"${B[@]}" bud --pull=never --isolation chroot \
  --build-arg BUILD_IMAGE="$jdk_image" --build-arg RUNTIME_IMAGE="$jre_image" \
  --build-arg MAVEN_FLAGS="-o -Dmaven.repo.local=/host-m2" \
  --volume "$maven_repo:/host-m2:O" \
  --tag "$tag" --file "$repo/Dockerfile" "$repo"
say "built $tag in $((SECONDS - t0)) s"
new_id=$("${B[@]}" inspect --type image --format '{{.FromImageID}}' "$tag")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  # The previous build of the tag is now nameless; vfs keeps full copies, so drop it.
  "${B[@]}" rmi "$old_id" >/dev/null 2>&1 || true
fi

size=$("${B[@]}" images --format '{{.Size}}' "$tag" | head -1)
base_size=$("${B[@]}" images --format '{{.Size}}' "$jre_image" | head -1)
say "image $tag id $new_id size $size (runtime base $base_size)"
say "user $("${B[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' "$tag"), cmd $("${B[@]}" inspect --type image --format '{{.OCIv1.Config.Cmd}}' "$tag")"
say "done in $((SECONDS - started)) s"
