import { timerFunction } from './lib/binding.js';

/** Timer (DEVICE_DIRECTORY_CRON, every 15 min by default; `off`: none): list every machine into the cached device directory intake reads. */
export const deviceDirectory = timerFunction({
  name: 'deviceDirectory',
  schedule: (config) => config.deviceDirectory.schedule,
  handler: (services) => services.refreshDeviceDirectory(),
});
