import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { callerSchema } from '../../../functions/me.js';
import type { deadLetterReportSchema } from '../../../functions/deadLettersAct.js';
import type { deadLetterListingSchema } from '../../../functions/deadLettersList.js';
import type { cancelReportSchema } from '../../../functions/runsCancel.js';
import type { QueueName } from '../../../shared/bus/queues.js';
import type { deviceSearchResultSchema } from '../../../shared/services/directory/search.js';
import type { responderStatusSchema } from '../../../shared/services/status/responderStatus.js';
import type { evidenceLinkSchema } from '../../../shared/services/evidenceAccess/evidenceLink.js';
import type { runStartedSchema } from '../../../functions/runsCreate.js';
import type { dryRunResultSchema } from '../../../shared/services/intake/dryRunResultSchema.js';
import type { playbookListSchema } from '../../../shared/services/status/playbookList.js';
import type { runListSchema } from '../../../shared/services/status/runList.js';
import type { runStatusSchema } from '../../../shared/services/status/runStatusSchema.js';
import type * as Wire from '../../../console/src/types.js';

/**
 * The console is compiled apart from the server and reads its answers
 * through console/src/types.ts. These fail the type check (npm test's first
 * step) when an answer the server's schemas allow no longer fits what the
 * console expects.
 */
describe('the console reads the API as the server answers it', () => {
  it('every answer the server’s schemas allow fits the console’s types', () => {
    expectTypeOf<z.output<typeof callerSchema>>().toExtend<Wire.Caller>();
    expectTypeOf<z.output<typeof runListSchema>>().toExtend<Wire.RunList>();
    expectTypeOf<z.output<typeof runStatusSchema>>().toExtend<Wire.RunStatus>();
    expectTypeOf<z.output<typeof playbookListSchema>>().toExtend<Wire.PlaybookList>();
    expectTypeOf<z.output<typeof dryRunResultSchema>>().toExtend<Wire.DryRunResult>();
    expectTypeOf<z.output<typeof runStartedSchema>>().toExtend<Wire.RunStarted>();
    expectTypeOf<z.output<typeof cancelReportSchema>>().toExtend<Wire.CancelReport>();
    expectTypeOf<z.output<typeof evidenceLinkSchema>>().toExtend<Wire.EvidenceLink>();
    expectTypeOf<z.output<typeof responderStatusSchema>>().toExtend<Wire.ResponderStatus>();
    expectTypeOf<z.output<typeof deadLetterListingSchema>>().toExtend<Wire.DeadLetterListing>();
    expectTypeOf<z.output<typeof deadLetterReportSchema>>().toExtend<Wire.DeadLetterReport>();
    expectTypeOf<z.output<typeof deviceSearchResultSchema>>().toExtend<Wire.DeviceSearchResult>();
    expectTypeOf<Wire.QueueName>().toEqualTypeOf<QueueName>();
  });
});
