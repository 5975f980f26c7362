<#
.SYNOPSIS
Collects a triage package to C:\ProgramData\MdeResponder\Out\<OutputName>.zip.
.DESCRIPTION
Called by the triage-bundle playbook through Live Response RunScript (runs
as SYSTEM). Gathers volatile and persistence facts: processes with command
lines and parents, network connections with owning processes, services,
scheduled tasks, Run/RunOnce keys, DNS cache, local administrators, logged-on
sessions, the hosts file and the Prefetch listing. Each section that fails is
noted in errors.txt and the rest go on; a manifest lists each file's SHA-256;
everything is zipped for the following GetFile. No argument names a path.
.PARAMETER OutputName
Our run id (lower-case letters, digits and -): names the archive.
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string]$OutputName
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$OutDir = 'C:\ProgramData\MdeResponder\Out'

if ($OutputName -cnotmatch '^[a-z0-9][a-z0-9-]{0,63}\z') { throw 'OutputName: expected a token of lower-case letters, digits and -' }

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
$errors = New-Object System.Collections.Generic.List[string]

function Save-Section([string]$Name, [scriptblock]$Collect) {
  try {
    & $Collect | Export-Csv -LiteralPath (Join-Path $stage ($Name + '.csv')) -NoTypeInformation -Encoding UTF8
    Write-Output ('collected {0}' -f $Name)
  } catch {
    $errors.Add(('{0}: {1}' -f $Name, $_.Exception.Message))
  }
}

Save-Section 'processes' { Get-CimInstance Win32_Process | Select-Object ProcessId, ParentProcessId, Name, ExecutablePath, CommandLine, CreationDate }
Save-Section 'tcp-connections' { Get-NetTCPConnection | Select-Object LocalAddress, LocalPort, RemoteAddress, RemotePort, State, OwningProcess, CreationTime }
Save-Section 'udp-endpoints' { Get-NetUDPEndpoint | Select-Object LocalAddress, LocalPort, OwningProcess, CreationTime }
Save-Section 'services' { Get-CimInstance Win32_Service | Select-Object Name, DisplayName, State, StartMode, PathName, StartName, ProcessId }
Save-Section 'scheduled-tasks' { Get-ScheduledTask | Select-Object TaskPath, TaskName, State, Author, @{ n = 'Actions'; e = { ($_.Actions | ForEach-Object { '{0} {1}' -f $_.Execute, $_.Arguments }) -join ' | ' } } }
Save-Section 'run-keys' {
  foreach ($key in 'HKLM:\Software\Microsoft\Windows\CurrentVersion\Run', 'HKLM:\Software\Microsoft\Windows\CurrentVersion\RunOnce',
                   'HKLM:\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Run') {
    if (Test-Path -LiteralPath $key) {
      $values = Get-ItemProperty -LiteralPath $key
      foreach ($p in $values.PSObject.Properties | Where-Object { $_.Name -notlike 'PS*' }) { [pscustomobject]@{ Key = $key; Name = $p.Name; Value = [string]$p.Value } }
    }
  }
}
Save-Section 'dns-cache' { Get-DnsClientCache | Select-Object Entry, Name, Type, Data, TimeToLive }
Save-Section 'local-administrators' { Get-LocalGroupMember -SID 'S-1-5-32-544' | Select-Object Name, ObjectClass, PrincipalSource }
Save-Section 'logon-sessions' { Get-CimInstance Win32_LogonSession | Select-Object LogonId, LogonType, AuthenticationPackage, StartTime }
Save-Section 'prefetch' { Get-ChildItem -LiteralPath 'C:\Windows\Prefetch' -Filter '*.pf' -Force | Select-Object Name, Length, CreationTimeUtc, LastWriteTimeUtc }
try { Copy-Item -LiteralPath 'C:\Windows\System32\drivers\etc\hosts' -Destination (Join-Path $stage 'hosts.txt') } catch { $errors.Add('hosts: ' + $_.Exception.Message) }

Set-Content -LiteralPath (Join-Path $stage 'errors.txt') -Value $errors -Encoding UTF8
$manifest = Get-ChildItem -LiteralPath $stage -File | ForEach-Object { '{0}  {1}' -f (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash.ToLowerInvariant(), $_.Name }
Set-Content -LiteralPath (Join-Path $stage 'manifest.sha256.txt') -Value $manifest -Encoding UTF8
$archive = Join-Path $OutDir ($OutputName + '.zip')
Compress-Archive -Path (Join-Path $stage '*') -DestinationPath $archive -CompressionLevel Optimal
Remove-Item -LiteralPath $stage -Recurse -Force
Write-Output ('Archive written to {0} ({1} bytes)' -f $archive, (Get-Item -LiteralPath $archive).Length)
