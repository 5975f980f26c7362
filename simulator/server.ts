import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResultLinks, serveResultLink } from './downloads.js';
import { ApiError } from './errors.js';
import { sendError } from './http.js';
import { dispatch } from './router.js';
import { ENDPOINTS } from './routes/index.js';
import type { SimulatorState } from './state.js';

function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

/** Starts the HTTP listener: `/api/...` (bearer token) and `/results/...` (SAS-like links). */
export async function listen(state: SimulatorState, host: string, port: number): Promise<{ server: Server; url: string }> {
  const links = new ResultLinks(state.ids.key('result-links'), state.ids, state.strictness.valueFormats);
  let baseUrl = '';
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', baseUrl);
    const path = decodePath(url.pathname);
    if (path === undefined) {
      sendError(res, new ApiError(400, 'BadRequest', 'The request URL is not valid.'), state.ids.target());
      return;
    }
    if (path.startsWith('/results/')) {
      await serveResultLink(res, url, req.method ?? 'GET', state, links);
      return;
    }
    await dispatch(ENDPOINTS, state, links, baseUrl, req, res, url, path);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${shownHost}:${address.port}`;
  return { server, url: baseUrl };
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
