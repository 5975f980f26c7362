#!/bin/bash
: <<'HELP'
.SYNOPSIS
Copies one file named by an alert to /var/tmp/mde-responder/out/<OutputName>.bin for GetFile (Linux and macOS).
.DESCRIPTION
Called by the collect-alert-file-posix playbook through Live Response
RunScript (runs as root). The path comes from the alert, so the responder
passes it base64url-encoded (UTF-8) after validating it, and this script
decodes and validates it again: an absolute path (/...), at most 4096
characters (1024 on macOS), names of letters, digits, space and
. _ ( ) + , ~ - only; no empty, "." or ".." segments, no symbolic links, no
folders, no devices. GetFile then collects the copy from a path the
playbook names, never the alert's path itself.
.PARAMETER SourcePathB64
The file's path, base64url (no padding) of its UTF-8 bytes.
.PARAMETER Sha256
Optional: the SHA-256 the alert reported; a different hash is reported, and the file is still collected.
.PARAMETER OutputName
Our run id (lower-case letters, digits and -): names the copy.
HELP
set -euo pipefail
umask 077
export LC_ALL=C.UTF-8
[ "$(uname -s)" = Darwin ] && export LC_ALL=en_US.UTF-8
OUT_DIR=/var/tmp/mde-responder/out
MAX_BYTES=$((3 * 1024 * 1024 * 1024))
MAX_PATH=4096
[ "$(uname -s)" = Darwin ] && MAX_PATH=1024

die() { echo "$1" >&2; exit 1; }

SourcePathB64='' Sha256='' OutputName=''
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "argument $1 has no value"
  case "$1" in
    -SourcePathB64) SourcePathB64=$2 ;;
    -Sha256) Sha256=$2 ;;
    -OutputName) OutputName=$2 ;;
    *) die 'unknown argument (expected -SourcePathB64, -Sha256, -OutputName)' ;;
  esac
  shift 2
done

[[ $OutputName =~ ^[a-z0-9][a-z0-9-]{0,63}$ ]] || die 'OutputName: expected a token of lower-case letters, digits and -'
[[ -z $Sha256 || $Sha256 =~ ^[0-9a-fA-F]{64}$ ]] || die 'Sha256: expected 64 hexadecimal digits'
[[ $SourcePathB64 =~ ^[A-Za-z0-9_-]{1,8192}$ ]] || die 'SourcePathB64: expected base64url text'
[ $((${#SourcePathB64} % 4)) -ne 1 ] || die 'SourcePathB64: expected base64url text'

# base64url -> base64 with padding -> bytes; the bytes must be valid UTF-8 without NUL.
b64=$(printf '%s' "$SourcePathB64" | tr -- '-_' '+/')
while [ $((${#b64} % 4)) -ne 0 ]; do b64="$b64="; done
decoded=$(printf '%s' "$b64" | base64 -d 2>/dev/null || printf '%s' "$b64" | base64 -D) || die 'SourcePathB64: not base64'
raw_len=$(printf '%s' "$b64" | { base64 -d 2>/dev/null || base64 -D; } | wc -c | tr -d ' ')
[ "$raw_len" -eq "$(printf '%s' "$decoded" | wc -c | tr -d ' ')" ] || die 'SourcePathB64: the path holds a NUL or ends in a newline'
printf '%s' "$decoded" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || die 'SourcePathB64: not valid UTF-8'
path=$decoded

[ "${#path}" -le "$MAX_PATH" ] || die "SourcePathB64: longer than $MAX_PATH characters"
[[ $path == /?* ]] || die 'SourcePathB64: expected an absolute path /...'
IFS=/ read -r -a segments <<<"${path#/}"
[ "${path: -1}" != / ] || die 'SourcePathB64: empty segments are refused'
for segment in "${segments[@]}"; do
  [[ -n $segment ]] || die 'SourcePathB64: empty segments are refused'
  [ "${#segment}" -le 255 ] || die 'SourcePathB64: a name is longer than 255 characters'
  [[ $segment =~ ^[[:alnum:]\ ._()+,~-]+$ ]] || die 'SourcePathB64: a name holds characters other than letters, digits, space and . _ ( ) + , ~ -'
  [[ $segment != . && $segment != .. && $segment != ' '* ]] || die 'SourcePathB64: "." / ".." segments and names starting with a space are refused'
done

[ ! -L "$path" ] || die 'SourcePathB64: a symbolic link is refused'
[ -f "$path" ] || die 'SourcePathB64: not a regular file (or it does not exist)'
size=$(wc -c <"$path" | tr -d ' ')
[ "$size" -le "$MAX_BYTES" ] || die "SourcePathB64: larger than $MAX_BYTES bytes"

mkdir -p "$OUT_DIR"
chmod 700 /var/tmp/mde-responder "$OUT_DIR"
target="$OUT_DIR/$OutputName.bin"
cp -- "$path" "$target"
chmod 600 "$target"
if command -v sha256sum >/dev/null; then actual=$(sha256sum -- "$target" | cut -d' ' -f1); else actual=$(shasum -a 256 -- "$target" | cut -d' ' -f1); fi
echo "copied $size bytes, sha256 $actual"
if [ -n "$Sha256" ] && [ "$(printf '%s' "$Sha256" | tr 'A-F' 'a-f')" != "$actual" ]; then
  echo "the file's SHA-256 differs from the alert's ($Sha256); collected anyway" >&2
fi
