/** App roles per endpoint (mde-api.md 0.3). Where the docs disagree, the simulator accepts either documented role. */
export const ROLES = {
  liveResponse: ['Machine.LiveResponse'],
  readMachines: ['Machine.Read.All', 'Machine.ReadWrite.All'],
  /** Machine tags (add-or-remove-machine-tags, add-or-remove-multiple-machine-tags). */
  writeMachines: ['Machine.ReadWrite.All'],
  cancel: [
    'Machine.CollectForensics',
    'Machine.Isolate',
    'Machine.RestrictExecution',
    'Machine.Scan',
    'Machine.Offboard',
    'Machine.StopAndQuarantine',
    'Machine.LiveResponse',
  ],
  library: ['Library.Manage'],
  alerts: ['Alert.Read.All', 'Alert.ReadWrite.All'],
  /** Alert update and batch update. The update page's `Alerts.ReadWrite.All` is taken as a misspelling (README choice 22). */
  writeAlerts: ['Alert.ReadWrite.All'],
} as const satisfies Record<string, readonly string[]>;

/** A GUID path key, or 400 BadRequest as observed for a non-GUID machine-action id. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
