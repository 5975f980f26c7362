<#
.SYNOPSIS
Exports the last hours of the main Windows event logs to C:\ProgramData\MdeResponder\Out\<OutputName>.zip.
.DESCRIPTION
Called by the collect-event-logs playbook through Live Response RunScript
(runs as SYSTEM). Exports Security, System, Application and the PowerShell,
Defender, Task Scheduler, RDP and Sysmon operational logs (those present) as
.evtx files filtered to the last -Hours hours, writes a manifest with each
file's SHA-256, and zips them for the following GetFile. The log list is
fixed here; no argument names a log or a path.
.PARAMETER Hours
How far back: a whole number 1..720.
.PARAMETER OutputName
Our run id (lower-case letters, digits and -): names the archive.
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string]$Hours,
  [Parameter(Mandatory = $true)][string]$OutputName
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$OutDir = 'C:\ProgramData\MdeResponder\Out'
$Logs = @(
  'Security', 'System', 'Application',
  'Microsoft-Windows-PowerShell/Operational',
  'Microsoft-Windows-Windows Defender/Operational',
  'Microsoft-Windows-TaskScheduler/Operational',
  'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
  'Microsoft-Windows-Sysmon/Operational'
)

if ($OutputName -cnotmatch '^[a-z0-9][a-z0-9-]{0,63}\z') { throw 'OutputName: expected a token of lower-case letters, digits and -' }
if ($Hours -cnotmatch '^[1-9][0-9]{0,2}\z' -or [int]$Hours -gt 720) { throw 'Hours: expected a whole number 1..720' }

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

Initialize-OutDir
$stage = Join-Path $OutDir $OutputName
New-Item -ItemType Directory -Path $stage -Force | Out-Null
$query = '*[System[TimeCreated[timediff(@SystemTime) <= {0}]]]' -f ([int64]$Hours * 3600000)
$manifest = New-Object System.Collections.Generic.List[string]
foreach ($log in $Logs) {
  $file = Join-Path $stage (($log -replace '[^A-Za-z0-9-]', '_') + '.evtx')
  & wevtutil.exe epl $log $file "/q:$query" /ow:true 2>$null
  if ($LASTEXITCODE -ne 0) { Write-Output ('skipped {0} (not present or not readable, exit {1})' -f $log, $LASTEXITCODE); continue }
  $hash = (Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash.ToLowerInvariant()
  $manifest.Add(('{0}  {1}  {2}' -f $hash, (Split-Path -Leaf $file), $log))
  Write-Output ('exported {0}' -f $log)
}
Set-Content -LiteralPath (Join-Path $stage 'manifest.sha256.txt') -Value $manifest -Encoding UTF8
$archive = Join-Path $OutDir ($OutputName + '.zip')
Compress-Archive -Path (Join-Path $stage '*') -DestinationPath $archive -CompressionLevel Optimal
Remove-Item -LiteralPath $stage -Recurse -Force
Write-Output ('Archive written to {0} ({1} bytes)' -f $archive, (Get-Item -LiteralPath $archive).Length)
