#!/bin/bash
: <<'HELP'
.SYNOPSIS
Writes a small triage bundle to /var/tmp/mde-responder/out/<OutputName>-triage.tar.gz for GetFile (Linux and macOS).
.DESCRIPTION
Called by the collect-alert-file-posix playbook through Live Response
RunScript (runs as root). Collects, each into its own text file: system
and uptime, processes, network connections and listening sockets, logged-on
and recent users, accounts, cron tables, services (systemd) or launchd jobs
(macOS), loaded kernel modules or extensions, mounts, hosts and resolver
files, ld.so.preload, and a manifest with each file's SHA-256. A command
that is missing or fails leaves a note in its file; the bundle is still
written.
.PARAMETER OutputName
Our run id (lower-case letters, digits and -): names the bundle.
HELP
set -uo pipefail
umask 077
OUT_DIR=/var/tmp/mde-responder/out

OutputName=''
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "argument $1 has no value" >&2; exit 1; }
  case "$1" in
    -OutputName) OutputName=$2 ;;
    *) echo 'unknown argument (expected -OutputName)' >&2; exit 1 ;;
  esac
  shift 2
done
[[ $OutputName =~ ^[a-z0-9][a-z0-9-]{0,63}$ ]] || { echo 'OutputName: expected a token of lower-case letters, digits and -' >&2; exit 1; }

mkdir -p "$OUT_DIR" && chmod 700 /var/tmp/mde-responder "$OUT_DIR"
work=$(mktemp -d "$OUT_DIR/.triage.XXXXXX") || exit 1
trap 'rm -rf -- "$work"' EXIT
bundle="$work/$OutputName-triage"
mkdir "$bundle"

# capture NAME COMMAND...: the command's output (or why there is none) in NAME.txt.
capture() {
  local name=$1
  shift
  if command -v "$1" >/dev/null 2>&1; then "$@" >"$bundle/$name.txt" 2>&1 || echo "(exit status $?)" >>"$bundle/$name.txt"; else echo "($1 not found)" >"$bundle/$name.txt"; fi
}
copy() { [ -e "$2" ] && cat -- "$2" >"$bundle/$1.txt" 2>&1 || echo "($2 not present)" >"$bundle/$1.txt"; }

capture uname uname -a
capture uptime uptime
capture processes ps axwwo user,pid,ppid,lstart,command
capture logged-on who -a
capture last last -n 50
capture mounts mount
copy passwd /etc/passwd
copy hosts /etc/hosts
copy resolv.conf /etc/resolv.conf
copy crontab /etc/crontab
capture cron.d ls -la /etc/cron.d /var/spool/cron /var/spool/cron/crontabs /usr/lib/cron/tabs
if [ "$(uname -s)" = Darwin ]; then
  capture connections lsof -nP -i
  capture launchd launchctl list
  capture launch-items ls -la /Library/LaunchDaemons /Library/LaunchAgents
  capture kernel-extensions kmutil showloaded
else
  capture connections ss -tunap
  capture services systemctl list-units --type=service --all --no-pager
  capture timers systemctl list-timers --all --no-pager
  capture kernel-modules lsmod
  copy ld.so.preload /etc/ld.so.preload
fi

if command -v sha256sum >/dev/null; then hash() { sha256sum -- "$@"; }; else hash() { shasum -a 256 -- "$@"; }; fi
(cd "$bundle" && hash ./*.txt >manifest.sha256)
tar -C "$work" -czf "$OUT_DIR/$OutputName-triage.tar.gz" "$OutputName-triage"
echo "wrote $OUT_DIR/$OutputName-triage.tar.gz"
