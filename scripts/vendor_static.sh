#!/usr/bin/env bash
# Re-vendor the front-end files Parley serves, from the npm registry, so that no build step is
# needed at run time. Run it by hand when upgrading; the result is committed under parley/static/vendor.
# Only the compiled files the pages reference are copied: the USWDS stylesheet and scripts, the
# woff2 fonts and images the stylesheet points at, the icon sprite, htmx and axe-core (tests only).
set -euo pipefail
USWDS_VERSION=${USWDS_VERSION:-3.14.0}
HTMX_VERSION=${HTMX_VERSION:-2.0.11}
AXE_VERSION=${AXE_VERSION:-4.14.1}
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/parley/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@uswds/uswds@$USWDS_VERSION" "htmx.org@$HTMX_VERSION" "axe-core@$AXE_VERSION" >/dev/null
mkdir uswds htmx axe
tar xzf uswds-uswds-*.tgz -C uswds
tar xzf htmx.org-*.tgz -C htmx
tar xzf axe-core-*.tgz -C axe
rm -rf "$dest"
mkdir -p "$dest/uswds/css" "$dest/uswds/js" "$dest/uswds/img" "$dest/htmx" "$dest/axe"
dist=uswds/package/dist
cp "$dist/css/uswds.min.css" "$dest/uswds/css/"
cp "$dist/js/uswds.min.js" "$dist/js/uswds-init.min.js" "$dest/uswds/js/"
cp "$dist/img/sprite.svg" "$dest/uswds/img/"
# every file the stylesheet references (fonts and images), nothing else
grep -o 'url([^)]*)' "$dist/css/uswds.min.css" | sed -e 's/^url(//' -e 's/)$//' -e 's/["'\'']//g' \
  | grep '^\.\./' | sed 's#^\.\./##' | sort -u | while read -r rel; do
    mkdir -p "$dest/uswds/$(dirname "$rel")"
    cp "$dist/$rel" "$dest/uswds/$rel"
  done
cp htmx/package/dist/htmx.min.js "$dest/htmx/"
cp axe/package/axe.min.js "$dest/axe/"
cat > "$dest/VERSIONS" <<V
@uswds/uswds $USWDS_VERSION (npm), dist/ files referenced by uswds.min.css
htmx.org $HTMX_VERSION (npm), dist/htmx.min.js
axe-core $AXE_VERSION (npm), axe.min.js (used by the browser tests only)
V
echo "vendored into $dest"
