/** The device directory suite against the in-memory fake (the Table adapter runs it in test/integration/storage/casStoreContracts.test.ts). */
import { describeDeviceDirectoryStoreContract } from '../../contracts/deviceDirectoryStore.contract.js';
import { MemoryDeviceDirectoryStore } from '../../helpers/memoryDeviceDirectoryStore.js';

describeDeviceDirectoryStoreContract('in-memory fake', () => Promise.resolve(new MemoryDeviceDirectoryStore()));
