<#
.SYNOPSIS
Copies one file named by an alert to C:\ProgramData\MdeResponder\Out\<OutputName>.bin for GetFile.
.DESCRIPTION
Called by the collect-alert-file playbook through Live Response RunScript
(runs as SYSTEM). The path comes from the alert, so the responder passes it
base64url-encoded (UTF-8) after validating it, and this script decodes and
validates it again: an absolute local path (X:\...), at most 260 characters,
names of letters, digits, space and . _ ( ) + , ~ - only; no UNC, device or
".." paths, no reparse points, no folders. The copy is read with sharing so
that a file in use can still be collected. GetFile then collects the copy
from a path the playbook names, never the alert's path itself.
.PARAMETER SourcePathB64
The file's path, base64url (no padding) of its UTF-8 bytes.
.PARAMETER Sha256
Optional: the SHA-256 the alert reported; a different hash is reported, and the file is still collected.
.PARAMETER OutputName
Our run id (lower-case letters, digits and -): names the copy.
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string]$SourcePathB64,
  [Parameter(Mandatory = $false)][string]$Sha256 = '',
  [Parameter(Mandatory = $true)][string]$OutputName
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$OutDir = 'C:\ProgramData\MdeResponder\Out'
$MaxBytes = 3GB

function Assert-Token([string]$Value) {
  if ($Value -cnotmatch '^[a-z0-9][a-z0-9-]{0,63}\z') { throw 'OutputName: expected a token of lower-case letters, digits and -' }
}

function ConvertFrom-Base64Url([string]$Value, [string]$Name) {
  if ($Value -cnotmatch '^[A-Za-z0-9_-]{1,4096}\z' -or $Value.Length % 4 -eq 1) { throw "${Name}: expected base64url text" }
  $text = $Value.Replace('-', '+').Replace('_', '/')
  $text += '=' * ((4 - $text.Length % 4) % 4)
  $strictUtf8 = New-Object System.Text.UTF8Encoding($false, $true)   # throws on invalid UTF-8
  return $strictUtf8.GetString([Convert]::FromBase64String($text))
}

function Assert-LocalPath([string]$Path) {
  if ($Path.Length -gt 260 -or -not $Path.IsNormalized([Text.NormalizationForm]::FormC)) { throw 'SourcePathB64: path too long or not NFC-normalised' }
  if ($Path -cnotmatch '^[A-Za-z]:\\(.+)\z') { throw 'SourcePathB64: expected an absolute local path X:\...' }
  foreach ($segment in $Matches[1].Split('\')) {
    if ($segment -cnotmatch '^[\p{L}\p{N} ._()+,~-]{1,255}\z') { throw 'SourcePathB64: a name holds characters other than letters, digits, space and . _ ( ) + , ~ -' }
    if ($segment -eq '.' -or $segment -eq '..' -or $segment -match '^ |[ .]\z') { throw 'SourcePathB64: "." / ".." segments and names starting with a space or ending in a space or dot are refused' }
    if ($segment -match '^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?\z') { throw 'SourcePathB64: reserved device names are refused' }
  }
}

function Initialize-OutDir {
  if (-not (Test-Path -LiteralPath $OutDir -PathType Container)) { New-Item -ItemType Directory -Path $OutDir -Force | Out-Null }
  $acl = New-Object System.Security.AccessControl.DirectorySecurity
  $acl.SetAccessRuleProtection($true, $false)
  foreach ($sid in 'S-1-5-18', 'S-1-5-32-544') {
    $identity = New-Object System.Security.Principal.SecurityIdentifier($sid)
    $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($identity, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')))
  }
  Set-Acl -LiteralPath $OutDir -AclObject $acl
}

Assert-Token $OutputName
if ($Sha256 -ne '' -and $Sha256 -cnotmatch '^[0-9a-f]{64}\z') { throw 'Sha256: expected 64 lower-case hexadecimal digits' }
$source = ConvertFrom-Base64Url $SourcePathB64 'SourcePathB64'
Assert-LocalPath $source

$item = Get-Item -LiteralPath $source -Force
if ($item.PSIsContainer) { throw 'SourcePathB64: names a folder, not a file' }
if ($item.Attributes -band [IO.FileAttributes]::ReparsePoint) { throw 'SourcePathB64: names a reparse point (link); refused' }
if ($item.Length -gt $MaxBytes) { throw ('the file is {0} bytes, over the 3 GB GetFile limit' -f $item.Length) }

Initialize-OutDir
$target = Join-Path $OutDir ($OutputName + '.bin')
$in = [System.IO.File]::Open($source, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]'ReadWrite, Delete')
try {
  $out = [System.IO.File]::Open($target, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
  try { $in.CopyTo($out) } finally { $out.Dispose() }
} finally {
  $in.Dispose()
}
$hash = (Get-FileHash -LiteralPath $target -Algorithm SHA256).Hash.ToLowerInvariant()
Write-Output ('Copied {0} bytes to {1}, sha256 {2}' -f (Get-Item -LiteralPath $target).Length, $target, $hash)
if ($Sha256 -ne '' -and $hash -ne $Sha256) { Write-Output ('NOTE: the alert reported sha256 {0}; the file on disk differs (collected anyway)' -f $Sha256) }
