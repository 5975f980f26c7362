/** The compare-and-swap store suites against the in-memory fakes (the Table adapters run them in test/integration/pacing). */
import { describePacingStoreContract } from '../../contracts/pacingStore.contract.js';
import { describeWatermarkStoreContract } from '../../contracts/watermarkStore.contract.js';
import { InProcessAlertAssemblyStore, InProcessPacingStore, InProcessWatermarkStore } from '../../helpers/casStores.js';
import { describeAlertAssemblyStoreContract } from '../../contracts/assemblyStore.contract.js';

describePacingStoreContract('in-memory fake', () => Promise.resolve(new InProcessPacingStore()));
describeWatermarkStoreContract('in-memory fake', () => Promise.resolve(new InProcessWatermarkStore()));
describeAlertAssemblyStoreContract('in-memory fake', () => Promise.resolve(new InProcessAlertAssemblyStore()));
