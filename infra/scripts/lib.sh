#!/usr/bin/env bash
# Shared helpers for onair's infra scripts. Source it; don't run it.

onair_log() { printf '\033[1;36m[onair]\033[0m %s\n' "$*" >&2; }
onair_die() { printf '\033[1;31m[onair]\033[0m %s\n' "$*" >&2; exit 1; }

# Where onair keeps things that outlive a work tree (Janus builds, the embedded
# Postgres cluster, recordings). Override with ONAIR_HOME.
# As root the default is /var/lib/onair: Postgres runs as the 'postgres' user and can't reach /root.
onair_home() {
  if [ -n "${ONAIR_HOME:-}" ]; then printf '%s' "$ONAIR_HOME"
  elif [ "$(id -u)" = 0 ]; then printf '/var/lib/onair'
  else printf '%s' "${XDG_DATA_HOME:-$HOME/.local/share}/onair"; fi
}
onair_cache() { printf '%s' "${ONAIR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/onair}"; }

onair_sudo() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    onair_die "need root to run: $* (install sudo or run as root)"; fi
}

_onair_apt_updated=""
# Install Debian packages that are not installed yet; runs `apt-get update` at most once.
onair_apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || onair_die "missing packages ${missing[*]} and no apt-get: install them yourself"
  onair_log "installing Debian packages: ${missing[*]}"
  if [ -z "$_onair_apt_updated" ]; then
    onair_sudo apt-get update -qq >/dev/null || onair_die "apt-get update failed"
    _onair_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive onair_sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || onair_die "apt-get install ${missing[*]} failed"
}
