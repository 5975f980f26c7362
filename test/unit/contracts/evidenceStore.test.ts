/** The EvidenceStore suite against the in-memory fake (the Blob adapter runs it in test/integration/storage). */
import { describeEvidenceStoreContract } from '../../contracts/evidenceStore.contract.js';
import { MemoryEvidenceStore } from '../../helpers/memoryEvidenceStore.js';

describeEvidenceStoreContract('in-memory fake', () => Promise.resolve(new MemoryEvidenceStore()));
