/** The DeadLetterStore suite against the in-memory fake (the adapters run it in test/integration/bus). */
import { CONTRACT_PREVIEW_BYTES, describeDeadLetterStoreContract } from '../../contracts/deadLetterStore.contract.js';
import { ManualClock } from '../../../shared/clock.js';
import { RecordingBus } from '../../helpers/fakes.js';
import { MemoryDeadLetterStore } from '../../helpers/memoryDeadLetterStore.js';

describeDeadLetterStoreContract('in-memory fake', () => {
  const bus = new RecordingBus();
  const store = new MemoryDeadLetterStore(bus, new ManualClock(Date.now()), { previewBytes: CONTRACT_PREVIEW_BYTES });
  return Promise.resolve({
    store,
    poison: (queue, body, reason) => Promise.resolve(void store.poison(queue, body, reason)),
    native: (queue, body, messageId) => Promise.resolve(void store.native(queue, body, messageId)),
    arrived: (queue) => Promise.resolve(bus.take(queue).map((m) => ({ messageId: m.messageId, body: m.body }))),
  });
});
