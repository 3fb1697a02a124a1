#!/usr/bin/env bash
# Sourced by the set-up scripts: `need CMD PACKAGE WHY` makes sure a command exists. As root on
# Debian or Ubuntu a missing one is installed with apt-get (saying what and why); elsewhere the
# script stops with the command to run.

# Whether packages can be installed here without asking: root, and apt-get present.
can_apt() {
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null
}

# apt_install WHY PACKAGE...: one line saying what is installed and why, then a quiet apt-get.
apt_install() {
  local why=$1
  shift
  echo "installing $* with apt-get ($why)"
  # A fresh machine or container has no package lists: update them once per run.
  if [[ -z ${DVOL_APT_UPDATED:-} ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DVOL_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need() {
  local cmd=$1 package=$2 why=$3
  command -v "$cmd" >/dev/null && return 0
  if can_apt; then
    apt_install "$why" "$package"
    command -v "$cmd" >/dev/null && return 0
  fi
  echo "$cmd is missing ($why): install it with 'sudo apt-get install -y $package' or your system's package manager" >&2
  exit 1
}
