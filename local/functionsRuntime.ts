import functions from '@azure/functions';

/**
 * @azure/functions is a bundled CommonJS module: under ESM, Node's named-export
 * detection finds `app` but not these classes, so they are taken from the
 * default export. Used only where the project itself plays the Functions host.
 */
export const { HttpRequest, InvocationContext } = functions;
