/** The RunStore suite against the in-memory fake (the Table adapter runs it in test/integration/storage). */
import { describeRunStoreContract } from '../../contracts/runStore.contract.js';
import { MemoryRunStore } from '../../helpers/memoryRunStore.js';

describeRunStoreContract('in-memory fake', () => Promise.resolve(new MemoryRunStore()));
