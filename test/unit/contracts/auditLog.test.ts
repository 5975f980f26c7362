import { describeAuditLogContract } from '../../contracts/auditLog.contract.js';
import { MemoryAuditLog } from '../../helpers/memoryAuditLog.js';

describeAuditLogContract('in-memory fake', () => Promise.resolve(new MemoryAuditLog()));
