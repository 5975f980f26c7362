/**
 * One vocabulary for where an alert came from. Each shape names its service
 * and detection source differently (Defender API `WindowsDefenderAtp`,
 * Graph `microsoftDefenderForEndpoint`, streaming `EDR` /
 * `Microsoft Defender for Endpoint`); playbooks use Graph alerts_v2's enum
 * names, and any of the known spellings matches them.
 */

/** Graph alerts_v2 detectionSource values the responder knows (mde-api.md 7.2). */
const DETECTION_SOURCES = [
  'microsoftDefenderForEndpoint',
  'antivirus',
  'smartScreen',
  'customTi',
  'microsoftDefenderForOffice365',
  'automatedInvestigation',
  'microsoftThreatExperts',
  'customDetection',
  'microsoftDefenderForIdentity',
  'cloudAppSecurity',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'manual',
  'microsoftDataLossPrevention',
  'microsoftDefenderForCloud',
  'microsoftSentinel',
  'scheduledAlerts',
  'nrtAlerts',
  'builtInMl',
] as const;

/** Graph alerts_v2 serviceSource values. */
const SERVICE_SOURCES = [
  'microsoftDefenderForEndpoint',
  'microsoftDefenderForIdentity',
  'microsoftDefenderForCloudApps',
  'microsoftDefenderForOffice365',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'microsoftAppGovernance',
  'dataLossPrevention',
  'microsoftDefenderForCloud',
  'microsoftSentinel',
  'microsoftInsiderRiskManagement',
] as const;

/** Other spellings (Defender API enum, Advanced Hunting text), keyed by {@link squash}. */
const DETECTION_ALIASES: Record<string, string> = {
  windowsdefenderatp: 'microsoftDefenderForEndpoint',
  edr: 'microsoftDefenderForEndpoint',
  windowsdefenderav: 'antivirus',
  windowsdefendersmartscreen: 'smartScreen',
  customerti: 'customTi',
  officeatp: 'microsoftDefenderForOffice365',
  threatexperts: 'microsoftThreatExperts',
  mcas: 'cloudAppSecurity',
  azureatp: 'microsoftDefenderForIdentity',
};

const SERVICE_ALIASES: Record<string, string> = {
  microsoftdefenderatp: 'microsoftDefenderForEndpoint',
  mde: 'microsoftDefenderForEndpoint',
  microsoftdefenderxdr: 'microsoft365Defender',
  microsoftdatalossprevention: 'dataLossPrevention',
};

/** Lower case without spaces or punctuation: `Custom detection` → `customdetection`. */
function squash(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function canonical(value: string | undefined, known: readonly string[], aliases: Record<string, string>): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const key = squash(value);
  return known.find((k) => squash(k) === key) ?? aliases[key] ?? value;
}

export function canonicalDetectionSource(value: string | undefined): string | undefined {
  return canonical(value, DETECTION_SOURCES, DETECTION_ALIASES);
}

export function canonicalServiceSource(value: string | undefined): string | undefined {
  return canonical(value, SERVICE_SOURCES, SERVICE_ALIASES);
}

/** Whether a playbook's value names the same source as the alert's (canonical or raw). */
export function sameSource(
  wanted: string,
  canonicalValue: string | undefined,
  rawValue: string | undefined,
  kind: 'detection' | 'service',
): boolean {
  const wantedCanonical = kind === 'detection' ? canonicalDetectionSource(wanted) : canonicalServiceSource(wanted);
  return [canonicalValue, rawValue].some(
    (v) => v !== undefined && (squash(v) === squash(wanted) || squash(v) === squash(wantedCanonical ?? '')),
  );
}

const TECHNIQUE = /\bT\d{4}(?:\.\d{3})?\b/g;

/**
 * MITRE technique ids out of the forms the shapes use: `["T1003.001"]`
 * (Defender API, Graph) or `"[\"Ingress Tool Transfer (T1105)\"]"` (a JSON
 * array in a string, streaming API). Unique, upper-case, in order.
 */
export function techniqueIds(values: readonly (string | null | undefined)[]): string[] {
  const found = new Set<string>();
  for (const value of values) {
    for (const match of (value ?? '').toUpperCase().matchAll(TECHNIQUE)) found.add(match[0]);
  }
  return [...found];
}

/** Whether an alert technique is the wanted one or one of its sub-techniques (`T1003` matches `T1003.001`). */
export function techniqueMatches(wanted: string, actual: string): boolean {
  const w = wanted.toUpperCase();
  const a = actual.toUpperCase();
  return a === w || (!w.includes('.') && a.startsWith(`${w}.`));
}
