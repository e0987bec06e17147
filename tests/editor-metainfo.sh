#!/bin/sh
# editor-metainfo.sh - validates the plugin's AppStream metadata offline.
set -u
command -v appstreamcli >/dev/null 2>&1 || { echo "appstreamcli missing: skipped"; exit 77; }
exec appstreamcli validate --no-net "${srcdir:-.}/properties/network-manager-meshub.metainfo.xml"
