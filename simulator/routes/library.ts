import { bytesSource } from '../content.js';
import { badRequest, invalidInput, notFound } from '../errors.js';
import { readBody } from '../http.js';
import { libraryFileJson } from '../library.js';
import { collection, pageOptionsFor, parseSkipTokenOnly } from '../query.js';
import { parseMultipart, type FormPart } from '../multipart.js';
import type { Endpoint } from '../router.js';
import { ROLES } from './roles.js';

/** GET /api/libraryfiles (mde-api.md 5.1): no query option is documented; only a next link's `$skiptoken` is read. */
export const listLibraryFiles: Endpoint = {
  key: 'listLibraryFiles',
  method: 'GET',
  pattern: /^\/api\/libraryfiles\/?$/i,
  roles: ROLES.library,
  handle(ctx) {
    const query = parseSkipTokenOnly(ctx.url);
    ctx.state.sync();
    const context = `${ctx.baseUrl}/api/$metadata#LibraryFiles`;
    const options = pageOptionsFor(ctx, 'listLibraryFiles');
    return {
      status: 200,
      json: collection(context, ctx.state.library.positioned(), query, options, (f) => libraryFileJson(f, ctx.state.formats)),
    };
  },
};

function flag(parts: readonly FormPart[], name: string): boolean {
  const part = parts.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!part) return false;
  const text = part.data.toString('utf8').trim().toLowerCase();
  if (text !== 'true' && text !== 'false') throw invalidInput(`Form field '${name}' must be true or false.`);
  return text === 'true';
}

const text = (parts: readonly FormPart[], name: string): string | undefined =>
  parts.find((p) => p.name.toLowerCase() === name.toLowerCase())?.data.toString('utf8');

/**
 * POST /api/libraryfiles, multipart/form-data (mde-api.md 5.2): a `file`
 * part (any casing) plus `Description`, `ParametersDescription`,
 * `HasParameters`, `OverrideIfExists`. Over `libraryMaxBytes` → 400
 * InvalidInput; existing name without OverrideIfExists → 400 BadRequest.
 */
export const uploadLibraryFile: Endpoint = {
  key: 'uploadLibraryFile',
  method: 'POST',
  pattern: /^\/api\/libraryfiles\/?$/i,
  roles: ROLES.library,
  async handle({ state, caller, req, baseUrl }) {
    const max = state.settings.libraryMaxBytes;
    const { data, tooLarge } = await readBody(req, max + 64 * 1024);
    const nowMs = state.sync();
    if (tooLarge) throw invalidInput(`The file exceeds the maximum library file size of ${max} bytes.`);
    const parsed = parseMultipart(data, req.headers['content-type'] ?? '');
    if (!parsed.ok) throw badRequest(parsed.error);
    const file = parsed.parts.find((p) => p.name.toLowerCase() === 'file');
    if (!file) throw badRequest("The form has no 'File' part.");
    const fileName = (file.filename ?? '').split(/[\\/]/).pop() ?? '';
    if (!fileName) throw badRequest("The 'File' part has no file name.");
    if (file.data.length > max) throw invalidInput(`The file exceeds the maximum library file size of ${max} bytes.`);
    const override = flag(parsed.parts, 'OverrideIfExists');
    if (state.library.get(fileName) && !override) {
      throw badRequest(`A library file named '${fileName}' already exists. Set OverrideIfExists to true to replace it.`);
    }
    const record = state.library.put({
      fileName,
      description: text(parsed.parts, 'Description') ?? null,
      hasParameters: flag(parsed.parts, 'HasParameters'),
      parametersDescription: text(parsed.parts, 'ParametersDescription') ?? '',
      source: bytesSource(Buffer.from(file.data)),
      lastUpdatedMs: nowMs,
      createdBy: caller.requestor,
    });
    return {
      status: 200,
      json: { '@odata.context': `${baseUrl}/api/$metadata#LibraryFiles/$entity`, ...libraryFileJson(record, state.formats) },
    };
  },
};

/** DELETE /api/libraryfiles/{fileName} → 204, or 404 (mde-api.md 5.3). */
export const deleteLibraryFile: Endpoint = {
  key: 'deleteLibraryFile',
  method: 'DELETE',
  pattern: /^\/api\/libraryfiles\/([^/]+)$/i,
  roles: ROLES.library,
  handle({ state, params }) {
    state.sync();
    const name = params[0] ?? '';
    if (!state.library.delete(name)) throw notFound(`Library file ${name} was not found`);
    return { status: 204 };
  },
};
