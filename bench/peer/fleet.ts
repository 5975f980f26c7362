import type { FleetInput } from '../../simulator/index.js';
import { workloadFleet, type WorkloadSpec } from '../workload.js';

/** The file both contenders collect from every device (the peer's InvokeGetFile takes one path for all). */
export const PEER_FILE_PATH = 'C:\\ProgramData\\Contoso\\triage.log';

/** Which devices, how many offline and until when: the pacing workload's shape, without its script. */
export type PeerWorkload = Pick<WorkloadSpec, 'devices' | 'offlineShare' | 'offlineUntilMaxMs'>;

/** The pacing workload's devices (every 1/offlineShare-th offline, back at evenly spread times), each holding the file. */
export function peerFleet(spec: PeerWorkload): FleetInput {
  const fleet = workloadFleet({ ...spec, scriptMs: 0 });
  return {
    ...fleet,
    name: `peer-${spec.devices}`,
    description: 'Generated for the peer benchmark (bench/peer.ts): every device holds one small file',
    library: [],
    scriptDefaults: {},
    devices: (fleet.devices ?? []).map((d) => ({ ...d, files: { [PEER_FILE_PATH]: { content: `triage log of ${d.computerDnsName}` } } })),
  };
}
