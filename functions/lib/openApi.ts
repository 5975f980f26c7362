import { z } from 'zod';
import type { HttpFunction } from './binding.js';
import { errorAnswer, errorEnvelopeSchema, type RouteContract } from './routeContract.js';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const SECURITY_SCHEME = 'appServiceAuth';
const ERROR_REF = { $ref: '#/components/schemas/ErrorEnvelope' };

/** The refusals guard.ts answers for every signed-in route. */
const SIGN_IN_REFUSALS: RouteContract['responses'] = {
  401: errorAnswer('no verified caller (sign in through App Service Authentication)'),
  403: errorAnswer('the caller lacks the route’s app role (named in the message)'),
};

/**
 * The OpenAPI 3.1 document of `routes`, generated from the zod schemas each
 * route declares (RouteContract) and validates with: parameters, request
 * bodies, every answer with its schema, and the app role each route needs
 * (as a security requirement and `x-required-role`; `public` for the rare
 * route without sign-in).
 */
export function openApiDocument(routes: readonly HttpFunction[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of routes) {
    const path = `/${documentedRoute(route.route)}`;
    for (const method of route.methods) (paths[path] ??= {})[method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MDE Live Response responder: operator API',
      version,
      description: 'Every route but the public ones needs a caller verified by App Service Authentication holding the app role named.',
    },
    servers: [{ url: '/api' }],
    paths,
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: 'An Entra ID token for the app, validated by App Service Authentication; access by app role (x-required-role).',
        },
      },
      schemas: { ErrorEnvelope: jsonSchemaOf(errorEnvelopeSchema, 'output') },
    },
  };
}

function operationOf(route: HttpFunction): Operation {
  const { api } = route;
  const responses = route.role === 'public' ? api.responses : { ...api.responses, ...SIGN_IN_REFUSALS };
  const parameters = [...pathParameters(route.route), ...queryParameters(api.query)];
  return {
    operationId: route.name,
    summary: api.summary,
    'x-required-role': route.role,
    security: route.role === 'public' ? [] : [{ [SECURITY_SCHEME]: [route.role] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(api.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(api.body, 'input') } } } } : {}),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, answer]) => [
        status,
        {
          description: answer.description,
          content: Object.fromEntries(
            (answer.mediaTypes ?? ['application/json']).map((type) => [
              type,
              { schema: answer.schema === errorEnvelopeSchema ? ERROR_REF : jsonSchemaOf(answer.schema, 'output') },
            ]),
          ),
        },
      ]),
    ),
  };
}

/** A route as OpenAPI writes its path: a catch-all `{*path}` is the parameter `{path}`. */
export const documentedRoute = (route: string): string => route.replaceAll('{*', '{');

function pathParameters(route: string): Operation[] {
  return [...documentedRoute(route).matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

function queryParameters(query: z.ZodObject | undefined): Operation[] {
  if (!query) return [];
  const schema = jsonSchemaOf(query, 'input');
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), as the route takes it (input) or answers it (output). */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}
