<#
.SYNOPSIS
Writes a full memory dump of one process to C:\ProgramData\MdeResponder\Out\<OutputName>.dmp.
.DESCRIPTION
Called by the process-memory-dump playbook through Live Response RunScript
(runs as SYSTEM). The responder validated both arguments before sending them;
this script validates them again and refuses anything else, so a value that
was bent on the way is never used. The following GetFile collects the dump.
.PARAMETER ProcessId
The process id: digits only, 1..4294967295.
.PARAMETER OutputName
Our run id (lower-case letters, digits and -): names the dump file.
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string]$ProcessId,
  [Parameter(Mandatory = $true)][string]$OutputName
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$OutDir = 'C:\ProgramData\MdeResponder\Out'

function Assert-Token([string]$Value) {
  # -cmatch is case-sensitive; \z (not $) so that a trailing newline cannot slip through.
  if ($Value -cnotmatch '^[a-z0-9][a-z0-9-]{0,63}\z') { throw 'OutputName: expected a token of lower-case letters, digits and -' }
}

function Initialize-OutDir {
  # Only SYSTEM and Administrators may read what we collect.
  if (-not (Test-Path -LiteralPath $OutDir -PathType Container)) { New-Item -ItemType Directory -Path $OutDir -Force | Out-Null }
  $acl = New-Object System.Security.AccessControl.DirectorySecurity
  $acl.SetAccessRuleProtection($true, $false)
  foreach ($sid in 'S-1-5-18', 'S-1-5-32-544') {
    $identity = New-Object System.Security.Principal.SecurityIdentifier($sid)
    $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($identity, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')))
  }
  Set-Acl -LiteralPath $OutDir -AclObject $acl
}

if ($ProcessId -cnotmatch '^[1-9][0-9]{0,9}\z' -or [uint64]$ProcessId -gt 4294967295) { throw 'ProcessId: expected digits only, 1..4294967295' }
Assert-Token $OutputName
$targetId = [int]$ProcessId   # not $pid: that is PowerShell's own process id

Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
public static class MdeResponderDump {
  [DllImport("dbghelp.dll", SetLastError = true)]
  public static extern bool MiniDumpWriteDump(IntPtr process, uint processId, SafeFileHandle file, uint dumpType,
    IntPtr exceptionParam, IntPtr userStreamParam, IntPtr callbackParam);
}
'@

$process = Get-Process -Id $targetId
Initialize-OutDir
$path = Join-Path $OutDir ($OutputName + '.dmp')
Write-Output ('Opening process {0} ({1}) on {2}' -f $process.Id, $process.ProcessName, $env:COMPUTERNAME)
Write-Output ('Writing full memory dump to {0}' -f $path)
$stream = [System.IO.File]::Open($path, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
try {
  $MiniDumpWithFullMemory = 2
  $done = [MdeResponderDump]::MiniDumpWriteDump($process.Handle, [uint32]$process.Id, $stream.SafeFileHandle, $MiniDumpWithFullMemory, [IntPtr]::Zero, [IntPtr]::Zero, [IntPtr]::Zero)
  if (-not $done) { throw ('MiniDumpWriteDump failed: Win32 error {0}' -f [Runtime.InteropServices.Marshal]::GetLastWin32Error()) }
} finally {
  $stream.Dispose()
}
$hash = (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant()
Write-Output ('Dump complete: {0} bytes, sha256 {1}' -f (Get-Item -LiteralPath $path).Length, $hash)
