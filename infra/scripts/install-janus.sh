#!/usr/bin/env bash
# Provides a Janus WebRTC Server >= 1.1.4 with the VideoRoom and Streaming plugins and janus-pp-rec.
#
# Order of preference:
#   1. JANUS_PREFIX already set and holding bin/janus;
#   2. onair's cached build (outside the work tree, so a second run takes seconds);
#   3. a build of Debian's janus source package, pinned below.
# Debian 12 ships janus 1.1.2, whose Streaming plugin ignores a player's offer, so standard
# WHEP (player offers, server answers) is impossible with it; we always use >= 1.1.4.
#
# Prints the install prefix on stdout (bin/janus, bin/janus-pp-rec, lib/janus/plugins, ...).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

JANUS_SOURCE_VERSION="${JANUS_SOURCE_VERSION:-1.4.1+ds-4}"
JANUS_SOURCE_SUITE="${JANUS_SOURCE_SUITE:-sid}"

if [ -n "${JANUS_PREFIX:-}" ] && [ -x "$JANUS_PREFIX/bin/janus" ]; then
  printf '%s\n' "$JANUS_PREFIX"; exit 0
fi

prefix="$(onair_cache)/janus-$JANUS_SOURCE_VERSION"
if [ -x "$prefix/bin/janus" ] && [ -x "$prefix/bin/janus-pp-rec" ] && [ -f "$prefix/.onair-complete" ]; then
  # Runtime libraries may be missing on a machine that got the cache but not the packages.
  onair_apt_install libnice10 libsrtp2-1 libjansson4 libconfig9 libmicrohttpd12 libwebsockets17 libcurl4 \
    libopus0 libogg0 libglib2.0-0
  printf '%s\n' "$prefix"; exit 0
fi

onair_log "building Janus $JANUS_SOURCE_VERSION from Debian's source package (one-off, about 2 minutes)"
onair_apt_install dpkg-dev ca-certificates autoconf automake libtool pkg-config gengetopt make gcc \
  libnice-dev libsrtp2-dev libjansson-dev libssl-dev libconfig-dev libglib2.0-dev libmicrohttpd-dev \
  libwebsockets-dev libcurl4-openssl-dev libopus-dev libogg-dev libavcodec-dev libavformat-dev libavutil-dev

work="$(mktemp -d "${TMPDIR:-/tmp}/onair-janus-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A private apt state: the system's package lists stay untouched and only a deb-src line
# for the source suite is known. The archive URI comes from the machine's own apt sources.
uri=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  uri="$(awk '/^URIs:/{print $2; exit}' "$f")"; [ -n "$uri" ] && break
done
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
  uri="$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)"
fi
[ -n "$uri" ] || onair_die "could not find a Debian archive URI in /etc/apt/sources.list*"
uri="${uri%/}"; case "$uri" in *-security) uri="${uri%-security}";; esac

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/etc"
printf 'deb-src [signed-by=%s] %s %s main\n' "$keyring" "$uri" "$JANUS_SOURCE_SUITE" > "$work/apt/etc/sources.list"
aptopts=(-o "Dir::State=$work/apt" -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache"
  -o "Dir::Etc::SourceList=$work/apt/etc/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::status=/var/lib/dpkg/status" -o "APT::Sandbox::User=root")
apt-get "${aptopts[@]}" -qq update || onair_die "could not read the $JANUS_SOURCE_SUITE source index from $uri"
# apt-get source checks the .dsc, the orig and the debian tarballs against the signed index.
(cd "$work" && apt-get "${aptopts[@]}" -qq source --download-only "janus=$JANUS_SOURCE_VERSION") \
  || onair_die "could not download janus $JANUS_SOURCE_VERSION source (pin JANUS_SOURCE_VERSION to one the archive has)"
(cd "$work" && dpkg-source --no-check -x janus_*.dsc src >/dev/null) || onair_die "could not unpack janus source"

cd "$work/src"
tmp_prefix="$prefix.tmp"
rm -rf "$tmp_prefix"
onair_log "configuring Janus"
sh autogen.sh >"$work/autogen.log" 2>&1 || { tail -20 "$work/autogen.log"; onair_die "janus autogen failed"; }
./configure --prefix="$tmp_prefix" --disable-docs --disable-all-plugins --disable-all-transports \
  --disable-all-handlers --disable-all-loggers \
  --enable-plugin-videoroom --enable-plugin-streaming --enable-websockets --enable-rest \
  --enable-post-processing >"$work/configure.log" 2>&1 || { tail -30 "$work/configure.log"; onair_die "janus configure failed"; }
onair_log "compiling Janus"
make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log"; onair_die "janus build failed"; }
make install >"$work/install.log" 2>&1 || { tail -30 "$work/install.log"; onair_die "janus install failed"; }
# configure bakes the prefix into janus; it only serves as a default, onair passes every path explicitly.
rm -rf "$prefix"; mv "$tmp_prefix" "$prefix"
"$prefix/bin/janus" --version >/dev/null 2>&1 || onair_die "built janus does not run"
touch "$prefix/.onair-complete"
onair_log "Janus $JANUS_SOURCE_VERSION installed in $prefix"
printf '%s\n' "$prefix"
