/** The owed notifications suite against the in-memory fake (the Table adapter runs it in test/integration/notify). */
import { describeOwedNotificationStoreContract } from '../../contracts/owedNotificationStore.contract.js';
import { MemoryOwedNotificationStore } from '../../helpers/memoryOwedNotificationStore.js';

describeOwedNotificationStoreContract('in-memory fake', () => Promise.resolve(new MemoryOwedNotificationStore()));
