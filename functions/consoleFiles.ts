import { z } from 'zod';
import { CONSOLE_HEADERS, readConsoleFile } from '../shared/console/files.js';
import { httpFunction } from './lib/binding.js';
import { errorAnswer, errorResponse } from './lib/routeContract.js';

/**
 * GET /api/console/{path} -> the operator console (a page, its styles and
 * scripts), one of a fixed list of files, with a strict
 * Content-Security-Policy. Under /api like every route (host.json keeps the
 * Functions route prefix), behind the same sign-in; role Responder.Read.
 */
export const consoleFiles = httpFunction({
  name: 'consoleFiles',
  methods: ['GET'],
  route: 'console/{*path}',
  role: 'Responder.Read',
  api: {
    summary: 'The operator console: its page (an empty path), styles and scripts; only the files it is built from',
    responses: {
      200: { description: 'the file', schema: z.string(), mediaTypes: ['text/html', 'text/css', 'text/javascript'] },
      404: errorAnswer('not a console file (or the console was not built)'),
    },
  },
  handler: async (_services, request) => {
    const file = await readConsoleFile(request.params.path ?? '');
    if (!file.ok) return errorResponse(404, 'NotFound', file.errors);
    return { status: 200, headers: { ...CONSOLE_HEADERS, 'Content-Type': file.value.contentType }, body: file.value.body };
  },
});
