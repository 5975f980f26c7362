import { z } from 'zod';
import { httpFunction, type HttpFunction } from './lib/binding.js';
import { openApiDocument } from './lib/openApi.js';

/**
 * GET /api/openapi.json -> the OpenAPI 3.1 document of every route, generated
 * from the schemas the handlers validate with. Role Responder.Read: the
 * document says nothing secret, but the only route without sign-in is the
 * health check. `routes` is the registry's list (read when called).
 */
export const openApi = (routes: () => readonly HttpFunction[]): HttpFunction =>
  httpFunction({
    name: 'openApi',
    methods: ['GET'],
    route: 'openapi.json',
    role: 'Responder.Read',
    api: {
      summary: 'This document: every route, its app role, parameters, bodies and answers',
      responses: { 200: { description: 'the OpenAPI 3.1 document', schema: z.looseObject({ openapi: z.literal('3.1.0') }) } },
    },
    handler: (services) => Promise.resolve({ status: 200, jsonBody: openApiDocument(routes(), services.deps.collectorVersion) }),
  });
