#!/usr/bin/env bash
# Prints the names of the running containers that use a volume of volume driver DRIVER (e.g.
# dvol:latest), space-separated; prints nothing when there are none.
# Usage: build/plugin-users.sh DRIVER
set -euo pipefail
driver=${1:?usage: build/plugin-users.sh DRIVER}
short=${driver%:latest}
mapfile -t ids < <(docker ps -q)
((${#ids[@]})) || exit 0
users=()
while read -r name drivers; do
  for d in $drivers; do
    if [[ $d == "$driver" || $d == "$short" ]]; then
      users+=("${name#/}")
      break
    fi
  done
done < <(docker inspect -f '{{.Name}}{{range .Mounts}} {{.Driver}}{{end}}' "${ids[@]}")
echo "${users[*]}"
